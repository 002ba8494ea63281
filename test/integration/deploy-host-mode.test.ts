/**
 * Blue-green deploys end to end: real Docker containers, a real Caddy on the
 * host reaching each color on its published port, and a load through Caddy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { rollback } from '../../src/run/rollback.js';
import { cleanup } from '../../src/run/cleanup.js';
import { HealthTimeoutError } from '../../src/errors.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { startLoad } from '../rig/load-client.js';
import { switchUnderLoad } from '../rig/switch-under-load.js';
import { deployInProcess, runOperation } from '../rig/run-operation.js';
import { testRuntime } from '../rig/test-runtime.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('deployhost');
const docker = rigDockerClient();
let project: HostModeProject;

const where = () => ({ dir: project.dir, adminAddress: project.caddy.adminAddress });
const deployVersion = (version: string, env: Record<string, string> = {}) => deployInProcess(where(), version, env);
const rollBack = () => runOperation(where(), (runtime) => rollback(runtime, { pull: 'never', dryRun: false, verifyUrl: undefined, signal: new AbortController().signal }));

async function containerNames(): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } });
  return list.map((c) => (c.Names[0] ?? '').replace(/^\//, '')).sort();
}

describe('blue-green deploy with Caddy on the host', () => {
  before(async () => {
    await Promise.all(['v1', 'v2', 'v3'].map((v) => buildTestImage(docker, scope, v)));
    // The node probe: a test below reads the health check's output ("500 unhealthy: v3 told to fail").
    project = await createHostModeProject(docker, scope, { healthProbe: 'node' });
  });
  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('the first deploy starts the idle color and points every service at it', async () => {
    const { result, error, log } = await deployVersion('v1');
    assert.equal(error, undefined, log.text());
    assert.equal(result?.plan.toColor, 'green');
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v1');
    assert.equal((await httpGet(project.caddy.url('/api/version'))).body, 'v1');
    assert.deepEqual(await containerNames(), [`${project.name}-api-green`, `${project.name}-web-green`]);
    const state = JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'));
    assert.deepEqual(state.active.color, 'green');
    assert.deepEqual(state.active.version, 'v1');
    assert.equal(state.operation, null);
  });

  test('v1 to v2 under load: no failed request, new requests after the switch get v2, slow ones finish on v1', async () => {
    const load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 4, freshClients: 2, slowClients: 2, slowMs: 2000, postEvery: 5, maxDurationMs: 180_000 });
    const { outcome, ms: deployMs, samples, ack, drain } = await switchUnderLoad(load, 'v2', () => deployVersion('v2'));
    assert.equal(outcome.result?.plan.toColor, 'blue');

    const slowInFlight = samples.filter((s) => s.kind === 'slow' && s.startedAt < ack.time && s.endedAt > ack.time);
    assert.ok(slowInFlight.length > 0, 'a slow request was in flight at the switch');
    // Sent before the switch began, a request is Caddy's on v1's config; one sent while the admin change was on its
    // way may reach Caddy after the new config (the client's clock says nothing finer), so it only has to succeed.
    const switchBegan = outcome.log.events('phase.start').find((r) => r.phase === 'switching')?.time as number;
    assert.equal(typeof switchBegan, 'number', 'the switch step was logged');
    for (const s of slowInFlight) assert.deepEqual([s.status, s.startedAt < switchBegan ? s.version : 'v1'], [200, 'v1'], JSON.stringify(s));

    // The drain waited for the slow requests, not for DRAIN_TIMEOUT (30 s).
    assert.ok((drain.ms as number) < 10_000, `drain took ${drain.ms} ms`);
    assert.ok(deployMs < 60_000, `deploy took ${deployMs} ms: none of its waits ran to a time-out`);
    // Green stays as warm standby.
    assert.deepEqual(await containerNames(), [`${project.name}-api-blue`, `${project.name}-api-green`, `${project.name}-web-blue`, `${project.name}-web-green`]);
    assert.equal((await httpGet(project.caddy.url('/version'), { headers: { 'Cutover-Color': 'green' } })).body, 'v1');
  });

  test('rollback with a warm standby switches back at once, without starting anything', async () => {
    const started = Date.now();
    const { result, error, log } = await rollBack();
    const ms = Date.now() - started;
    assert.equal(error, undefined, log.text());
    assert.deepEqual([result?.plan.kind, result?.plan.toColor, result?.plan.version, result?.plan.start.length], ['rollback', 'green', 'v1', 0]);
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v1');
    assert.equal((await httpGet(project.caddy.url('/api/version'))).body, 'v1');
    assert.equal(log.events('container.started').length, 0);
    assert.ok(ms < 15_000, `rollback took ${ms} ms`);
    const state = JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'));
    assert.deepEqual([state.active.color, state.active.version, state.standby.color, state.standby.version], ['green', 'v1', 'blue', 'v2']);
  });

  test('a version that never becomes healthy leaves traffic where it was, removes what it started and brings the standby back', async () => {
    const { error, log } = await deployVersion('v3', { HEALTH_FAIL: '1', HEALTH_CHECK_TIMEOUT: '20' });
    assert.ok(error instanceof HealthTimeoutError, String(error));
    assert.match(log.text(), /last health check \(exit 1\): 500 unhealthy: v3 told to fail/);
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v1');
    // The blue standby (v2) was parked for the failed attempt, whose containers are gone again; v2 is back, the rollback target kept.
    assert.deepEqual(await containerNames(), [`${project.name}-api-blue`, `${project.name}-api-green`, `${project.name}-web-blue`, `${project.name}-web-green`]);
    assert.equal((await httpGet(project.caddy.url('/version'), { headers: { 'Cutover-Color': 'blue' } })).body, 'v2');
    assert.equal(log.events('standby.restored').length, 1);
    const state = JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'));
    assert.deepEqual([state.active.color, state.active.version, state.standby?.color, state.standby?.version], ['green', 'v1', 'blue', 'v2']);
    assert.equal(state.history.at(-1).outcome, 'failed');
    assert.equal(state.operation, null);
  });

  test('rollback without a standby starts the previous version first, then switches', async () => {
    const { runtime } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    try {
      assert.deepEqual((await cleanup(runtime, { dryRun: false })).removed.map((c) => c.version), ['v2', 'v2']);
    } finally {
      await runtime.close();
    }
    const { result, error, log } = await rollBack();
    assert.equal(error, undefined, log.text());
    assert.deepEqual([result?.plan.toColor, result?.plan.version, result?.plan.start.length], ['blue', 'v2', 2]);
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2');
  });
});
