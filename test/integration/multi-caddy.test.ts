/**
 * Several Caddy instances switched as one (docs/multi-instance.md), on three
 * real Caddy 2.6.2 processes on loopback in front of the same colored
 * containers: A (the project's own), B (the same site plus another site of its
 * own: a different config) and C (behind the admin fault proxy). One project
 * and one set of Caddies serve every case, in order:
 * - deploy and rollback under load through every instance: no failed request,
 *   and no request started after the switch reaches the old version anywhere;
 * - a canary under load: every instance gets the weights, then the new color;
 * - one instance unreachable: refused before anything changes, exit 4;
 * - two instances, one answering 503 to its change: the other is put back
 *   exactly (its ETag is the one before), exit 5, the deploy undone;
 * - one instance restarted from its own config: reconcile changes it alone.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import { hasPreviewRoutes } from '../../src/domain/rewrite-caddy-config.js';
import type { JsonValue } from '../../src/domain/caddy-json.js';
import { deploy } from '../../src/run/deploy.js';
import { rollback } from '../../src/run/rollback.js';
import { silentLogger } from '../../src/log.js';
import { startAdminFaultProxy, type AdminFaultProxy } from '../rig/admin-fault-proxy.js';
import { assertCleanSwitch, assertNoFailure, stopLoadAfter } from '../rig/assert-clean-switch.js';
import { startCaddy, type RunningCaddy } from '../rig/caddy-runner.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { freePort } from '../rig/free-port.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { startLoad, summarizeLoad, type LoadRun } from '../rig/load-client.js';
import { runCli, spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { testRuntime } from '../rig/test-runtime.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('multicaddy');
const docker = rigDockerClient();
const OTHER_SITE = 'other-site.test';
const LATENCY_NOT_JUDGED = ['--max-latency-p99', '5s', '--latency-margin', '5s'];

type Json = Record<string, unknown>;

/** The same site as `config` (Caddy A's, read back), for another Caddy process; with `otherSite`, one more site before it. */
function sameSite(config: Json, otherSite: boolean): { config: object } {
  const copy = structuredClone(config) as { admin?: unknown; apps: { http: { servers: Record<string, { listen: string[]; routes: unknown[] }> } } };
  delete copy.admin;
  for (const server of Object.values(copy.apps.http.servers)) {
    server.listen = ['127.0.0.1:{{HTTP_PORT}}'];
    if (otherSite) server.routes.unshift({ match: [{ host: [OTHER_SITE] }], handle: [{ handler: 'static_response', body: 'the other site' }], terminal: true });
  }
  return { config: copy };
}

describe('several Caddy instances switched as one', { concurrency: false }, () => {
  let project: HostModeProject;
  let b: RunningCaddy;
  let c: RunningCaddy;
  let proxyC: AdminFaultProxy;
  const urls = (): string[] => [project.caddy.url('/'), b.url('/'), c.url('/')];
  const admins = (): string[] => [project.caddy.adminAddress, b.adminAddress, proxyC.address];
  const cli = (args: string[], list: string[] = admins()) => runCli(['-C', project.dir, ...list.flatMap((a) => ['--caddy-admin', a]), ...args]);
  const state = async () => JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8')) as { active: { color: string; version: string }; operation: unknown; history: Array<{ outcome: string }> };
  const etags = async (): Promise<string[]> => Promise.all([project.caddy.adminAddress, b.adminAddress, c.adminAddress].map(async (address) => {
    const admin = new CaddyAdmin(address, { logger: silentLogger() });
    try {
      return (await admin.readConfig()).etag;
    } finally {
      await admin.close();
    }
  }));
  const versions = async (): Promise<string[]> => Promise.all(urls().map(async (url) => (await httpGet(`${url}version`)).body));
  const otherSiteAnswers = async (): Promise<string> => (await httpGet(b.url('/'), { headers: { host: OTHER_SITE } })).body;
  /** A runtime on all three instances, in-process, for the log events the clean-switch check reads. */
  const runtimeOnAll = () => {
    const made = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    const extra = [b.adminAddress, proxyC.address].map((address) => new CaddyAdmin(address, { logger: made.log.logger }));
    made.runtime.admins = [made.runtime.admin, ...extra];
    const close = made.runtime.close;
    made.runtime.close = async () => {
      await close();
      await Promise.all(extra.map((admin) => admin.close()));
    };
    return made;
  };
  const loadsOnAll = (): LoadRun[] => urls().map((baseUrl) => startLoad({ baseUrl, keepAliveClients: 2, freshClients: 1, slowClients: 1, slowMs: 300, postEvery: 5, maxDurationMs: 180_000 }));

  before(async () => {
    await Promise.all(['v1', 'v2', 'v3', 'v4'].map((v) => buildTestImage(docker, scope, v)));
    project = await createHostModeProject(docker, scope, { drainTimeout: '10' });
    const admin = new CaddyAdmin(project.caddy.adminAddress, { logger: silentLogger() });
    const config = (await admin.readConfig()).value as Json;
    await admin.close();
    b = await startCaddy(sameSite(config, true));
    c = await startCaddy(sameSite(config, false));
    proxyC = await startAdminFaultProxy(c.adminAddress);
    const first = await cli(['deploy', 'v1']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(await versions(), ['v1', 'v1', 'v1']);
  });
  after(async () => {
    await proxyC?.close();
    await b?.stop();
    await c?.stop();
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('deploy and rollback under load through every instance: no failed request, none to the old version after the switch', async () => {
    for (const [version, operate] of [
      ['v2', (runtime: ReturnType<typeof runtimeOnAll>['runtime']) => deploy(runtime, { version: 'v2', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal })],
      ['v1', (runtime: ReturnType<typeof runtimeOnAll>['runtime']) => rollback(runtime, { pull: 'never', dryRun: false, verifyUrl: undefined, signal: new AbortController().signal })],
    ] as const) {
      const { runtime, log } = runtimeOnAll();
      const loads = loadsOnAll();
      try {
        await operate(runtime);
      } catch (error) {
        await Promise.all(loads.map((load) => load.stop()));
        assert.fail(`${version}: ${String(error)}\n${log.text()}`);
      } finally {
        await runtime.close();
      }
      const samples = await Promise.all(loads.map((load) => stopLoadAfter(load, 150)));
      for (const [index, each] of samples.entries()) assertCleanSwitch(each, log.events, version, `instance ${index + 1}\n${log.text()}`);
      assert.equal(log.events('switch.acknowledged').length, 1, 'one switch: one acknowledgement after every instance applied it');
      assert.match(log.text(), /all 3 Caddy instances acknowledged/);
      assert.deepEqual(await versions(), [version, version, version]);
      assert.equal(await otherSiteAnswers(), 'the other site', "B's other site is kept: each instance is planned over its own config");
      assert.deepEqual(((await state()) as { caddyAdmins?: string[] }).caddyAdmins, admins(), 'the state file records the instances');
    }
  });

  test('a canary under load: every instance gets the weights at each step, then the new color', async () => {
    const loads = loadsOnAll();
    const run = spawnCli(['-C', project.dir, ...admins().flatMap((a) => ['--caddy-admin', a]), 'deploy', 'v3', '--canary', '50,pause', '--step-interval', '3s', ...LATENCY_NOT_JUDGED]);
    try {
      await waitUntil('the canary to pause at 50%', 90_000, async () => ((await state()).operation as { canary?: { paused?: boolean } } | null)?.canary?.paused === true ? true : undefined);
      // Every instance splits: both versions answer through each.
      for (const url of urls()) {
        const seen = new Set<string>();
        await waitUntil(`both versions through ${url}`, 10_000, async () => {
          seen.add((await httpGet(`${url}version`)).body);
          return seen.size === 2 ? true : undefined;
        });
        assert.deepEqual([...seen].sort(), ['v1', 'v3']);
      }
      const promote = await cli(['promote']);
      assert.equal(promote.code, 0, promote.stderr);
      assert.equal(await run.done, 0, run.stderr());
      // Each instance wrote its own traffic log (never one shared file), and the analysis read all three.
      const files = [...new Set(run.stderr().match(/cutover-traffic-[\w.-]+\.log/g) ?? [])];
      assert.equal(files.length, 3, run.stderr());
      for (const file of files) assert.ok((await stat(path.join(project.dir, 'caddy', file))).size > 0, `${file} has the round trips of its instance`);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      const samples = await Promise.all(loads.map((load) => load.stop()));
      for (const [index, each] of samples.entries()) assertNoFailure(summarizeLoad(each), `instance ${index + 1}: `);
    }
    assert.deepEqual(await versions(), ['v3', 'v3', 'v3']);
    assert.equal(await otherSiteAnswers(), 'the other site');
  });

  test('one instance unreachable: refused before anything changes, exit 4, the state file as it was', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const [stateBefore, etagsBefore] = [await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'), await etags()];
    const run = await cli(['deploy', 'v4'], [project.caddy.adminAddress, b.adminAddress, dead]);
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, new RegExp(`Caddy's admin API at ${dead} is unreachable`));
    assert.equal(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'), stateBefore);
    assert.deepEqual(await etags(), etagsBefore, 'no instance changed');
    const v4 = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`, 'cutover.version=v4'] } });
    assert.deepEqual(v4, [], 'no container of v4 was started');
    assert.deepEqual(await versions(), ['v3', 'v3', 'v3']);
    const status = await cli(['status', '--json'], [project.caddy.adminAddress, dead]);
    assert.equal(status.code, 4, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { instances: Array<{ reachable: boolean }> }).instances.map((i) => i.reachable), [true, false]);
  });

  test('two instances, one answering 503 to its change: the other is put back exactly, exit 5, the deploy undone', async () => {
    const etagsBefore = await etags();
    const activeBefore = (await state()).active;
    proxyC.injectOnNextChange('answer-503');
    const run = await cli(['deploy', 'v4'], [project.caddy.adminAddress, proxyC.address]);
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, new RegExp(`Caddy rejected PATCH \\S+ \\(HTTP 503\\).*\\(Caddy at ${proxyC.address}\\); the other instances were put back as they were`));
    assert.deepEqual(await etags(), etagsBefore, 'A has exactly its config before (C never changed, B was not named)');
    const after = await state();
    assert.deepEqual([after.active, after.operation, after.history.at(-1)?.outcome], [activeBefore, null, 'failed']);
    assert.deepEqual(await versions(), ['v3', 'v3', 'v3']);
    assert.equal(await otherSiteAnswers(), 'the other site');
  });

  test('one instance restarted from its own config: reconcile puts the recorded color back on it alone', async () => {
    await b.restart();
    const read = async (address: string) => {
      const admin = new CaddyAdmin(address, { logger: silentLogger() });
      try {
        return (await admin.readConfig()).value as JsonValue;
      } finally {
        await admin.close();
      }
    };
    assert.equal(hasPreviewRoutes(await read(b.adminAddress)), false, "B forgot cutover's changes");
    const shown = await cli(['status', '--json']);
    const report = JSON.parse(shown.stdout) as { schemaVersion: number; instances: Array<{ address: string; reachable: boolean; previewRoutes: boolean }> };
    assert.equal(report.schemaVersion, 4);
    assert.deepEqual(report.instances.map((i) => [i.address, i.reachable, i.previewRoutes]), [[project.caddy.adminAddress, true, true], [b.adminAddress, true, false], [proxyC.address, true, true]]);
    const [a0, , c0] = await etags();
    const run = await cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    const [a1, , c1] = await etags();
    assert.deepEqual([a1, c1], [a0, c0], 'A and C, already right, were not changed');
    assert.equal(hasPreviewRoutes(await read(b.adminAddress)), true);
    const settled = await cli(['status', '--json']);
    assert.equal(settled.code, 0, settled.stdout);
    assert.deepEqual(await versions(), ['v3', 'v3', 'v3']);
    assert.equal(await otherSiteAnswers(), 'the other site');
  });
});
