/**
 * `npx tsx test/rig/sweep.ts <run id>`: removes every container (forced),
 * network, volume and image labelled cutover.test.run=<run id>, the networks and
 * volumes cutover made for the run's projects (cutover.project=<run id>-...), and the run's
 * temp files (image build dirs, registry storage, locks), and prints what it
 * removed. scripts/test.sh runs it when a run ends, also after a failure or
 * Ctrl-C, so an interrupted run leaves nothing behind.
 */
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rigDockerClient } from './docker-client.js';
import { isEmpty, removeLabelled } from './labelled-objects.js';
import { prefixOfRun, RUN_LABEL, runTempPrefix } from './run-id.js';

const runId = process.argv[2];
if (runId === undefined || runId === '') {
  process.stderr.write('usage: tsx test/rig/sweep.ts <run id>\n');
  process.exitCode = 2;
} else {
  const docker = rigDockerClient();
  const removed = await removeLabelled(docker, `${RUN_LABEL}=${runId}`);
  // What cutover itself makes for a test project (its default network, its named volumes) carries the
  // project's label, not the run's: a run killed before a file's after() hook left them behind.
  const ofRun = (labels: Record<string, string> | null | undefined): boolean => (labels?.['cutover.project'] ?? '').startsWith(`${prefixOfRun(runId)}-`);
  const projectLabel = { label: ['cutover.project'] };
  for (const n of (await docker.listNetworks({ filters: projectLabel })).filter((n) => ofRun(n.Labels))) {
    await docker.getNetwork(n.Id).remove().then(() => removed.networks.push(n.Name), () => undefined);
  }
  for (const v of ((await docker.listVolumes({ filters: projectLabel })).Volumes ?? []).filter((v) => ofRun(v.Labels))) {
    await docker.getVolume(v.Name).remove().then(() => removed.volumes.push(v.Name), () => undefined);
  }
  const tempPrefix = runTempPrefix(prefixOfRun(runId));
  const temp = (await readdir(os.tmpdir())).filter((name) => name.startsWith(tempPrefix));
  for (const name of temp) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  if (temp.length > 0) process.stdout.write(`sweep ${runId}: removed ${temp.length} temp files: ${temp.join(', ')}\n`);
  if (isEmpty(removed) && temp.length === 0) {
    process.stdout.write(`sweep ${runId}: nothing left behind\n`);
  } else {
    for (const [kind, names] of Object.entries(removed)) {
      if (names.length > 0) process.stdout.write(`sweep ${runId}: removed ${names.length} ${kind}: ${names.join(', ')}\n`);
    }
  }
}
