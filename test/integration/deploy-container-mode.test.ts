/**
 * Blue-green deploys end to end in the reference document's shape: Caddy runs
 * in a container as the project's shared `proxy` service on the compose
 * network and reaches each color by its network alias (`web-blue:3000`); its
 * admin API and HTTP port are published on 127.0.0.1 only. The proxy is
 * started from the project's compose files by cutover's own Docker adapter
 * (startSharedServices, as the demo does), then deploys run against it.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import { deploy } from '../../src/run/deploy.js';
import { reset } from '../../src/run/reset.js';
import type { Runtime } from '../../src/run/runtime.js';
import { buildTestCaddyImage } from '../rig/caddy-image.js';
import { createContainerModeProject, type ContainerModeProject } from '../rig/container-mode-project.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { httpGet } from '../rig/http-get.js';
import { startLoad } from '../rig/load-client.js';
import { switchUnderLoad } from '../rig/switch-under-load.js';
import { recordingLogger } from '../rig/recording-logger.js';
import { deployInProcess } from '../rig/run-operation.js';
import { startSharedServicesFirst } from '../rig/start-shared-services-first.js';
import { testRuntime } from '../rig/test-runtime.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { canaryOptionsFrom } from '../../src/commands/canary-flags.js';
import type { JsonValue } from '../../src/domain/caddy-json.js';
import { hasTrafficLog } from '../../src/domain/traffic-log-config.js';

const scope = testScope('deploybox');
const docker = rigDockerClient();
let project: ContainerModeProject | undefined;

function current(): ContainerModeProject {
  if (project === undefined) throw new Error('the project was not created (see before())');
  return project;
}

function runtimeFor(): { runtime: Runtime; log: ReturnType<typeof recordingLogger> } {
  return testRuntime({ dir: current().dir, adminAddress: current().adminAddress });
}

const deployVersion = (version: string) => deployInProcess(current(), version);

async function containers(): Promise<Array<{ name: string; color: string | undefined; state: string }>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${current().name}`] } });
  return list
    .map((c) => ({ name: (c.Names[0] ?? '').replace(/^\//, ''), color: c.Labels['cutover.color'], state: c.State }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function readState(): Promise<{ active: { color: string; version: string } | null; standby: { color: string; version: string } | null; operation: unknown; targets: Record<string, { blue: string[]; green: string[] }> }> {
  return JSON.parse(await readFile(path.join(current().dir, 'caddy', 'cutover-state.json'), 'utf8'));
}

/** The dials of every reverse_proxy handler in Caddy's live config, outside cutover's preview routes. */
async function liveDials(): Promise<string[]> {
  const admin = new CaddyAdmin(current().adminAddress, { logger: recordingLogger().logger });
  try {
    const config = (await admin.readConfig('/config/')).value;
    const dials: string[] = [];
    const walk = (node: unknown, inPreview: boolean): void => {
      if (Array.isArray(node)) {
        for (const child of node) walk(child, inPreview);
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      const preview = inPreview || JSON.stringify(record.match ?? '').includes('Cutover-Color');
      if (record.handler === 'reverse_proxy' && Array.isArray(record.upstreams) && !preview) {
        for (const upstream of record.upstreams as Array<{ dial?: string }>) if (upstream.dial !== undefined) dials.push(upstream.dial);
      }
      for (const value of Object.values(record)) walk(value, preview);
    };
    walk(config, false);
    return [...new Set(dials)].sort();
  } finally {
    await admin.close();
  }
}

describe('blue-green deploy with Caddy in a container on the compose network', () => {
  before(async () => {
    await Promise.all([buildTestImage(docker, scope, 'v1'), buildTestImage(docker, scope, 'v2'), buildTestCaddyImage(docker, scope)]);
    project = await createContainerModeProject(docker, scope);
    await startSharedServicesFirst(project, ['proxy']);
  });
  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('the proxy runs as a shared container and starts at the plain Compose names', async () => {
    assert.deepEqual(await containers(), [{ name: `${current().name}-proxy-1`, color: undefined, state: 'running' }]);
    assert.deepEqual(await liveDials(), ['api:3000', 'web:3000']);
  });

  test('the first deploy starts blue and points Caddy at the blue aliases', async () => {
    const { result, error, log } = await deployVersion('v1');
    assert.equal(error, undefined, log.text());
    assert.equal(result?.plan.toColor, 'blue');
    assert.deepEqual(await liveDials(), ['api-blue:3000', 'web-blue:3000']);
    const web = await httpGet(current().url('/version'));
    assert.deepEqual([web.status, web.body, web.headers['x-app-color']], [200, 'v1', 'blue']);
    const api = await httpGet(current().url('/api/version'));
    assert.deepEqual([api.status, api.body, api.headers['x-app-color']], [200, 'v1', 'blue']);
    const state = await readState();
    assert.deepEqual(state.active && [state.active.color, state.active.version], ['blue', 'v1']);
    assert.equal(state.operation, null);
    assert.deepEqual(state.targets.web?.blue, ['web-blue:3000']);
  });

  test('v1 to v2 under load: no failed request, v2 from green after the switch, blue stays as previewable standby', async () => {
    const load = startLoad({ baseUrl: current().url('/'), keepAliveClients: 4, freshClients: 2, slowClients: 2, slowMs: 1500, postEvery: 5, maxDurationMs: 180_000 });
    const { outcome } = await switchUnderLoad(load, 'v2', () => deployVersion('v2'));
    assert.equal(outcome.result?.plan.toColor, 'green');

    assert.deepEqual(await liveDials(), ['api-green:3000', 'web-green:3000']);
    const live = await httpGet(current().url('/version'));
    assert.deepEqual([live.body, live.headers['x-app-color']], ['v2', 'green']);
    const preview = await httpGet(current().url('/api/version'), { headers: { 'Cutover-Color': 'blue' } });
    assert.deepEqual([preview.status, preview.body, preview.headers['x-app-color']], [200, 'v1', 'blue']);

    const name = current().name;
    assert.deepEqual(await containers(), [
      { name: `${name}-api-blue`, color: 'blue', state: 'running' },
      { name: `${name}-api-green`, color: 'green', state: 'running' },
      { name: `${name}-proxy-1`, color: undefined, state: 'running' },
      { name: `${name}-web-blue`, color: 'blue', state: 'running' },
      { name: `${name}-web-green`, color: 'green', state: 'running' },
    ]);
    const state = await readState();
    assert.deepEqual(state.active && [state.active.color, state.active.version], ['green', 'v2']);
    assert.deepEqual(state.standby && [state.standby.color, state.standby.version], ['blue', 'v1']);
    assert.deepEqual(state.targets.api, { caddyAdmin: current().adminAddress, blue: ['api-blue:3000'], green: ['api-green:3000'] });
  });

  test('a canary with Caddy in this container reads the real traffic from its stderr through the Docker API', async () => {
    const load = startLoad({ baseUrl: current().url('/'), keepAliveClients: 3, freshClients: 0, slowClients: 0, slowMs: 0, postEvery: 5, maxDurationMs: 180_000 });
    const { runtime, log } = runtimeFor();
    let error: unknown;
    try {
      // v2 again (--force), so the reset below still finds v2 live.
      // Caddy listens on :80 inside its container, published on another host port: the probes need the published one.
      const canary = canaryOptionsFrom({ canary: '50', stepInterval: '3s', probeUrl: current().url('/'), maxLatencyP99: '5s', latencyMargin: '5s' });
      await deploy(runtime, { version: 'v2', pull: 'never', force: true, stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal, canary });
    } catch (e) {
      error = e;
    } finally {
      await load.stop();
      await runtime.close();
    }
    assert.equal(error, undefined, `${String(error)}\n${log.text()}`);
    const source = log.events('canary.real-traffic')[0];
    assert.match(String(source?.source), new RegExp(`container ${current().name}-proxy-1`), log.text());
    const figures = log.events('canary.analysis')[0]?.figures as Record<string, number> | undefined;
    assert.ok((figures?.['real.new.requests'] ?? 0) > 0 && (figures?.['real.old.requests'] ?? 0) > 0, JSON.stringify(figures));
    assert.equal(log.events('traffic.unparseable').length, 0, 'Caddy\'s other stderr lines are skipped, not unparseable');
    const admin = new CaddyAdmin(current().adminAddress, { logger: recordingLogger().logger });
    try {
      assert.equal(hasTrafficLog((await admin.readConfig()).value as JsonValue), false, 'the full switch took the log out');
    } finally {
      await admin.close();
    }
  });

  test('reset: the plain services take over by their Compose names in one change, the colors are drained and removed', async () => {
    const { runtime, log } = runtimeFor();
    try {
      const result = await reset(runtime, { dryRun: false, confirm: async () => true, signal: new AbortController().signal });
      assert.equal(result.done, true);
    } catch (error) {
      throw new Error(`${String(error)}\n${log.text()}`);
    } finally {
      await runtime.close();
    }
    assert.equal(log.events('switch.acknowledged').length, 2, 'one change switches, one drops the preview routes');
    assert.deepEqual(await liveDials(), ['api:3000', 'web:3000']);
    const name = current().name;
    assert.deepEqual(await containers(), [
      { name: `${name}-api-1`, color: undefined, state: 'running' },
      { name: `${name}-proxy-1`, color: undefined, state: 'running' },
      { name: `${name}-web-1`, color: undefined, state: 'running' },
    ]);
    // The overlays set APP_COLOR; compose.yml alone does not: the answers come from the plain containers.
    for (const url of [current().url('/version'), current().url('/api/version')]) {
      const answer = await httpGet(url);
      assert.deepEqual([answer.status, answer.body, answer.headers['x-app-color']], [200, 'v2', ''], url);
    }
    const state = await readState();
    assert.deepEqual([state.active, state.standby, state.operation], [null, null, null]);
  });
});
