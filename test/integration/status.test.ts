/**
 * `cutover status` against real Docker containers and a real Caddy on the
 * host: after two deploys it reports the active and standby colors, the dials
 * Caddy uses and a request in flight; after a hand edit through the admin API
 * it reports drift (exit 13); the real CLI prints the same as one JSON object;
 * with Caddy gone it still reports what Docker and the state file say (exit 4).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import type { JsonValue } from '../../src/domain/caddy-json.js';
import { findProxyHandlers } from '../../src/domain/find-proxy-handlers.js';
import { buildStatusReport } from '../../src/domain/status/build-status-report.js';
import type { StatusReport } from '../../src/domain/status/status-report-types.js';
import { deploy } from '../../src/run/deploy.js';
import { observeStatus } from '../../src/run/observe-status.js';
import type { Runtime } from '../../src/run/runtime.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { recordingLogger } from '../rig/recording-logger.js';
import { runCli } from '../rig/run-cli.js';
import { testRuntime } from '../rig/test-runtime.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('status');
const docker = rigDockerClient();
let project: HostModeProject;

function runtimeFor(): { runtime: Runtime; log: ReturnType<typeof recordingLogger> } {
  return testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
}

async function deployVersion(version: string): Promise<void> {
  const { runtime, log } = runtimeFor();
  try {
    await deploy(runtime, { version, pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal });
  } catch (error) {
    throw new Error(`deploy ${version} failed: ${String(error)}\n${log.text()}`, { cause: error });
  } finally {
    await runtime.close();
  }
}

/** The status operation as the command runs it, in-process. */
async function status(): Promise<StatusReport> {
  const { runtime } = runtimeFor();
  try {
    return buildStatusReport(await observeStatus(runtime));
  } finally {
    await runtime.close();
  }
}

/**
 * Status once every container is ready. On a loaded machine a slow probe can
 * leave a container unhealthy for a moment; status then rightly says so, which
 * is not what these tests are about. So poll until the report shows all ready.
 */
async function settledStatus(what: string): Promise<StatusReport> {
  let last: StatusReport | undefined;
  try {
    return await waitUntil(`status to show every container ready (${what})`, 30_000, async () => {
      last = await status();
      return last.services.every((s) => s.containers.length > 0 && s.containers.every((c) => c.ready)) ? last : undefined;
    });
  } catch (error) {
    throw new Error(`${String(error)}\nlast report: ${JSON.stringify(last, null, 1)}`, { cause: error });
  }
}

const dial = (color: 'blue' | 'green', service: string): string => `127.0.0.1:${project.ports[color][service]}`;
const serviceOf = (report: StatusReport, name: string) => {
  const found = report.services.find((s) => s.name === name);
  assert.ok(found !== undefined, `no ${name} in ${JSON.stringify(report.services)}`);
  return found;
};

describe('cutover status on real Docker and Caddy', () => {
  before(async () => {
    await Promise.all(['v1', 'v2'].map((v) => buildTestImage(docker, scope, v)));
    project = await createHostModeProject(docker, scope);
    await deployVersion('v1');
    await deployVersion('v2');
  });
  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('after v1 then v2: blue v2 active, green v1 a healthy standby, dials and a request in flight', async () => {
    // One slow request through Caddy to web, so its in-flight count is 1 when status reads it.
    const slow = httpGet(project.caddy.url('/slow?ms=10000'), { timeoutMs: 30_000 });
    const admin = new CaddyAdmin(project.caddy.adminAddress, { logger: recordingLogger().logger });
    try {
      await waitUntil('the slow request to be in flight to web blue', 10_000, async () =>
        (await admin.readUpstreams()).find((row) => row.address === dial('blue', 'web'))?.numRequests === 1 ? true : undefined,
      );
    } finally {
      await admin.close();
    }
    const report = await settledStatus('a request in flight');
    assert.equal(serviceOf(report, 'web').dials[0]?.inFlight, 1, 'status read while the slow request was in flight');
    assert.equal((await slow).body, 'v2');

    assert.equal(report.exitCode, 0, JSON.stringify(report.problems, null, 2));
    assert.deepEqual(report.problems, []);
    assert.equal(report.schemaVersion, 4);
    assert.deepEqual([report.active?.color, report.active?.version], ['blue', 'v2']);
    assert.deepEqual(report.traffic, { kind: 'color', color: 'blue' });
    const { images: standbyImages, ...standby } = report.standby ?? { images: null };
    assert.deepEqual(standby, { color: 'green', version: 'v1', running: true, healthy: true, detail: [] });
    // Built on this host, never pushed: known by image ID, no registry digest.
    assert.deepEqual([standbyImages?.web?.ref, standbyImages?.web?.digest, standbyImages?.web?.id.startsWith('sha256:')], [`${scope.prefix}-app:v1`, null, true]);
    assert.equal(report.project.name, project.name);

    const web = serviceOf(report, 'web');
    assert.deepEqual(web.dials, [{ dial: dial('blue', 'web'), color: 'blue', inFlight: 1 }]);
    assert.deepEqual(web.weights, { blue: 100, green: 0, plain: 0 });
    assert.deepEqual(
      web.containers.map((c) => [c.name, c.color, c.version, c.state, c.health, c.serving]),
      [
        [`${project.name}-web-blue`, 'blue', 'v2', 'running', 'healthy', true],
        [`${project.name}-web-green`, 'green', 'v1', 'running', 'healthy', false],
      ],
    );
    const api = serviceOf(report, 'api');
    assert.deepEqual(api.dials, [{ dial: dial('blue', 'api'), color: 'blue', inFlight: 0 }]);

    // Green's rows stay listed through the preview routes: not live, nothing in flight.
    for (const service of ['web', 'api']) {
      const green = report.upstreams.find((u) => u.address === dial('green', service));
      assert.deepEqual(green && [green.service, green.color, green.live, green.inFlight], [service, 'green', false, 0]);
    }
    assert.deepEqual(report.preview, { header: 'Cutover-Color', colors: ['blue', 'green'] });
    assert.deepEqual(report.lock, { status: 'free' });
    assert.equal(report.operation, null);
    assert.deepEqual(report.history.map((h) => [h.kind, h.version, h.color, h.outcome]), [
      ['deploy', 'v2', 'blue', 'succeeded'],
      ['deploy', 'v1', 'green', 'succeeded'],
    ]);
    assert.deepEqual(report.drift, []);
  });

  test('web pointed back at green by hand through the admin API: drift, exit 13, in-process and from the real CLI', async (t) => {
    const admin = new CaddyAdmin(project.caddy.adminAddress, { logger: recordingLogger().logger });
    t.after(() => admin.close());
    const read = await admin.readConfig('/config/');
    // findProxyHandlers skips cutover's preview routes but keeps real indices, so the pointer fits the live config.
    const web = findProxyHandlers(read.value as JsonValue).find((h) => h.dials.join(' ') === dial('blue', 'web'));
    assert.ok(web !== undefined, JSON.stringify(read.value));
    await admin.changeConfig('PATCH', `/config/${web.pointer.join('/')}/upstreams`, [{ dial: dial('green', 'web') }], { ifMatch: read.etag });
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v1', 'the hand edit took effect');

    const report = await settledStatus('drift');
    assert.equal(report.exitCode, 13, JSON.stringify(report.problems, null, 2));
    assert.equal(report.traffic.kind, 'mixed');
    assert.deepEqual(report.drift.map((d) => [d.kind, d.service]), [['mixed', null]]);
    assert.deepEqual(report.problems.map((p) => [p.severity, p.kind, p.exitCode]), [['error', 'drift', 13]]);
    assert.deepEqual(serviceOf(report, 'web').weights, { blue: 0, green: 100, plain: 0 });
    assert.deepEqual([report.active?.color, report.active?.version], ['blue', 'v2'], 'the state file is only read');

    // The real CLI, as a subprocess: one JSON object on stdout, the exit code from the report.
    const started = Date.now();
    const result = await runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'status', '--json']);
    console.log(`cutover status --json as a subprocess took ${Date.now() - started} ms`);
    assert.equal(result.code, 13, result.stderr);
    const fromCli = JSON.parse(result.stdout) as StatusReport;
    assert.equal(fromCli.schemaVersion, 4);
    assert.equal(fromCli.exitCode, 13);
    assert.deepEqual([fromCli.active?.color, fromCli.active?.version], ['blue', 'v2']);
    assert.deepEqual(fromCli.drift.map((d) => d.kind), ['mixed']);
    assert.deepEqual(fromCli.standby, report.standby);
    assert.deepEqual(
      fromCli.services.map((s) => [s.name, s.dials.map((d) => [d.dial, d.color, typeof d.inFlight])]),
      [
        ['web', [[dial('green', 'web'), 'green', 'number']]],
        ['api', [[dial('blue', 'api'), 'blue', 'number']]],
      ],
    );
  });

  test('with Caddy gone, status still shows the state file and the containers, and exits 4', async () => {
    await project.caddy.stop();
    const report = await settledStatus('Caddy gone');
    assert.equal(report.exitCode, 4);
    assert.equal(report.problems[0]?.kind, 'caddy-unreachable');
    assert.deepEqual(report.traffic.kind, 'unknown');
    assert.deepEqual([report.active?.color, report.active?.version], ['blue', 'v2']);
    assert.deepEqual(report.standby?.healthy, true);
    assert.deepEqual(
      report.services.map((s) => [s.name, s.containers.filter((c) => c.ready).length, s.handlers.length === 0 ? null : s.handlers]),
      [
        ['web', 2, null],
        ['api', 2, null],
      ],
      JSON.stringify(report.services.map((s) => s.containers), null, 1),
    );
  });
});
