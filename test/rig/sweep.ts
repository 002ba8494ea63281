/**
 * `npx tsx test/rig/sweep.ts <run id>`: removes every container (forced),
 * network, volume and image labelled cutover.test.run=<run id>, and the run's
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
  const removed = await removeLabelled(rigDockerClient(), `${RUN_LABEL}=${runId}`);
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
