/**
 * `deploy --bake` on real Caddy 2.6.2 (on the host) and real containers,
 * under load: a version that starts failing after the switch is switched back
 * by itself (exit 14, the standby kept, the log out of Caddy); one that stays
 * healthy finishes, and the log leaves Caddy after the bake. A bad --bake is
 * refused before anything changes.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bakeOptionsFrom } from '../../src/commands/bake-flags.js';
import { hasTrafficLog } from '../../src/domain/traffic-log-config.js';
import { CanaryAbortedError } from '../../src/errors.js';
import { deploy } from '../../src/run/deploy.js';
import { assertOneLineError } from '../rig/assert-one-line-error.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createDeployedHostModeProject } from '../rig/deployed-host-mode-project.js';
import type { HostModeProject } from '../rig/host-mode-project.js';
import { startLoad, summarizeLoad } from '../rig/load-client.js';
import { failShare } from '../rig/fail-share.js';
import { readCaddyConfig } from '../rig/read-caddy-config.js';
import { runCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { testRuntime } from '../rig/test-runtime.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('bake');
const docker = rigDockerClient();
let project: HostModeProject;

interface StateFile {
  operation: unknown;
  active: { color: 'blue' | 'green'; version: string } | null;
  standby: { color: 'blue' | 'green'; version: string } | null;
  history: Array<{ outcome: string; reason?: string }>;
}

async function state(): Promise<StateFile> {
  return JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8')) as StateFile;
}

function bake(duration: string) {
  const options = bakeOptionsFrom({ stepInterval: '60s', bake: duration, latencyWarmup: '0' }, undefined);
  assert.ok(options !== undefined);
  return options;
}

describe('deploy --bake on Caddy 2.6.2', () => {
  before(async () => {
    project = await createDeployedHostModeProject(docker, scope, ['v1', 'v2', 'v3']);
  });
  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('a bad --bake is one line, exit 2, nothing changed', async () => {
    const before = JSON.stringify(await readCaddyConfig(project));
    assertOneLineError(await runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'deploy', 'v2', '--bake', 'soon']), 2, /--bake soon: write a duration from 3s to 24h/);
    assert.equal(JSON.stringify(await readCaddyConfig(project)), before);
    assert.equal((await state()).active?.version, 'v1');
  });

  test('a version that starts failing half of GET /version after the switch is switched back by itself, exit 14, the standby kept', async () => {
    const live = (await state()).active;
    assert.ok(live !== null);
    const newColor = live.color === 'blue' ? 'green' : 'blue';
    const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    const load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 4, freshClients: 0, slowClients: 0, slowMs: 0, postEvery: 5, maxDurationMs: 120_000 });
    const running = deploy(runtime, { version: 'v2', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal, bake: bake('30s') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    let error: unknown;
    try {
      // Healthy through the reference window; then it starts failing.
      await waitUntil('the bake to take its reference', 90_000, () => (log.events('bake.reference').length > 0 ? true : undefined));
      assert.ok(hasTrafficLog(await readCaddyConfig(project)), 'the switch put the traffic log in');
      await failShare(project, newColor, 0.5, '/version');
      error = await running;
    } finally {
      const samples = await load.stop();
      await runtime.close();
      console.log(`load: ${JSON.stringify(summarizeLoad(samples))}`);
    }
    assert.ok(error instanceof CanaryAbortedError, `${String(error)}\n${log.text()}`);
    assert.match(error.message, new RegExp(`^bake aborted: ${newColor} error rate .* real requests .*significantly above ${newColor} in its first`));
    const after = await state();
    assert.deepEqual([after.operation, after.active?.version, after.history.at(-1)?.outcome], [null, 'v1', 'aborted']);
    assert.equal(hasTrafficLog(await readCaddyConfig(project)), false, 'the switch back took the traffic log out');
  });

  test('a version that stays healthy finishes after the bake; the log leaves Caddy', async () => {
    const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    const load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 2, freshClients: 0, slowClients: 0, slowMs: 0, postEvery: 5, maxDurationMs: 120_000 });
    try {
      await deploy(runtime, { version: 'v3', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal, bake: bake('6s') });
    } catch (error) {
      assert.fail(`${String(error)}\n${log.text()}`);
    } finally {
      await load.stop();
      await runtime.close();
    }
    assert.ok(log.events('bake.look').length > 0, 'the bake judged at least one window');
    assert.equal(log.events('bake.done').length, 1);
    const after = await state();
    assert.deepEqual([after.active?.version, after.standby?.version], ['v3', 'v1']);
    assert.equal(hasTrafficLog(await readCaddyConfig(project)), false, 'the log left Caddy after the bake');
  });
});
