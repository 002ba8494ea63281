/**
 * Ctrl-C during a deploy undoes what the deploy did: the new containers are
 * removed, traffic stays where it was, and the state file records the
 * interrupted deploy as failed with no operation left open.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { runCli, spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('interrupt');
const docker = rigDockerClient();
let project: HostModeProject;

before(async () => {
  await Promise.all(['v1', 'v2'].map((v) => buildTestImage(docker, scope, v)));
  project = await createHostModeProject(docker, scope);
});
after(async () => {
  await project?.remove();
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

async function names(): Promise<string[]> {
  return (await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } })).map((c) => (c.Names[0] ?? '').slice(1)).sort();
}

test('SIGINT while waiting for health removes the new color and leaves traffic on the old one', async () => {
  const first = await runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'deploy', 'v1']);
  assert.equal(first.code, 0, first.stderr);
  const before = await names();

  // v2 takes a minute to listen, so the deploy sits in waiting-healthy.
  const run = spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, '--log-format', 'json', 'deploy', 'v2'], {
    env: { START_DELAY_MS: '60000', HEALTH_CHECK_TIMEOUT: '120' },
  });
  await waitUntil('the deploy to wait for health', 30_000, () => (run.stderr().includes('"phase":"waiting-healthy"') ? true : undefined));
  assert.equal((await names()).length, 4, 'v2 containers were started');
  run.child.kill('SIGINT');
  const code = await run.done;

  assert.equal(code, 1, run.stderr());
  assert.match(run.stderr(), /"event":"phase.undo"/);
  assert.match(run.stderr(), /interrupted by SIGINT/);
  assert.deepEqual(await names(), before);
  assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v1');
  const state = JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'));
  assert.equal(state.operation, null);
  assert.deepEqual([state.active.version, state.history.at(-1).outcome, state.history.at(-1).reason], ['v1', 'failed', 'interrupted by SIGINT']);
  await assert.rejects(readFile(path.join(project.dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' });
});
