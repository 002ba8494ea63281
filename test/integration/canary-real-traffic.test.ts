/**
 * A canary judged by the real traffic of both colors, read from the log real
 * Caddy 2.6.2 (on the host) writes of every proxied request, under load. The
 * probes go to `/` (404 in the test app: an answer, not an error), so only
 * the real traffic can see a version that fails half of GET /version.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canaryOptionsFrom } from '../../src/commands/canary-flags.js';
import type { JsonObject } from '../../src/domain/caddy-json.js';
import { hasTrafficLog, withTrafficLog } from '../../src/domain/traffic-log-config.js';
import { CanaryAbortedError } from '../../src/errors.js';
import { deploy } from '../../src/run/deploy.js';
import { buildStatusReport } from '../../src/domain/status/build-status-report.js';
import { observeStatus } from '../../src/run/observe-status.js';
import { reconcile } from '../../src/run/reconcile.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createDeployedHostModeProject } from '../rig/deployed-host-mode-project.js';
import type { HostModeProject } from '../rig/host-mode-project.js';
import { startLoad, summarizeLoad } from '../rig/load-client.js';
import { failShare } from '../rig/fail-share.js';
import { readCaddyConfig } from '../rig/read-caddy-config.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { testRuntime } from '../rig/test-runtime.js';

const scope = testScope('canary-real');
const docker = rigDockerClient();
let project: HostModeProject;

interface StateFile {
  operation: { toColor: string } | null;
  active: { color: 'blue' | 'green'; version: string } | null;
  history: Array<{ outcome: string; kind: string; reason?: string }>;
}

async function state(): Promise<StateFile> {
  return JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8')) as StateFile;
}

function otherColor(color: 'blue' | 'green'): 'blue' | 'green' {
  return color === 'blue' ? 'green' : 'blue';
}

describe('canary judged by real traffic through Caddy 2.6.2', () => {
  before(async () => {
    project = await createDeployedHostModeProject(docker, scope, ['v1', 'v2', 'v3']);
  });
  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('a version failing 50% of GET /version only (health and / fine) is aborted within about 2 s of real traffic at 10%; the probes alone saw nothing', async () => {
    const live = (await state()).active;
    assert.ok(live !== null);
    const newColor = otherColor(live.color);
    const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    // The new containers fail from the moment the first step's change is sent: they are healthy and started by then.
    let firstStep = true;
    runtime.beforeSwitchWrite = async () => {
      if (!firstStep) return;
      firstStep = false;
      await failShare(project, newColor, 0.5, '/version');
    };
    const canary = canaryOptionsFrom({ canary: '10,50', stepInterval: '20s' });
    assert.ok(canary !== undefined);
    const load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 6, freshClients: 0, slowClients: 0, slowMs: 0, postEvery: 5, maxDurationMs: 180_000 });
    let error: unknown;
    try {
      error = await deploy(runtime, { version: 'v2', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal, canary }).then(
        () => undefined,
        (e: unknown) => e,
      );
    } finally {
      const samples = await load.stop();
      await runtime.close();
      console.log(`load: ${JSON.stringify(summarizeLoad(samples))}`);
    }
    assert.ok(error instanceof CanaryAbortedError, `${String(error)}\n${log.text()}`);
    assert.match(error.message, new RegExp(`canary aborted at 10%: ${newColor} error rate .* real requests`));
    const step = log.events('canary.step')[0];
    const looks = log.events('canary.real-traffic.look');
    const worse = looks.find((l) => l.verdict === 'worse');
    assert.ok(step !== undefined && worse !== undefined, log.text());
    const detectedAfterMs = (worse.time as number) - (step.time as number);
    const figures = worse.figures as Record<string, number>;
    console.log(`worse ${detectedAfterMs} ms after the 10% step began; figures ${JSON.stringify(figures)}`);
    // About 2 s of the issue's 150 req/s at 10 % is 30 requests; looks are a second apart, so allow two looks' worth.
    assert.ok((figures['real.new.requests'] ?? 0) <= 60, `judged worse only after ${figures['real.new.requests']} real requests to ${newColor}`);
    // In time: far before the 20 s step's end (on a loaded machine the load itself is slow, hence the count above is the measure).
    assert.ok(detectedAfterMs <= 15_000, `detected ${detectedAfterMs} ms after the step began`);
    assert.ok((figures['real.route.web GET /version.new.errors'] ?? 0) >= 3, JSON.stringify(figures));
    // The probes were fine: the verdict was the real traffic's alone.
    assert.equal(log.events('canary.analysis')[0]?.ok, false);
    const after = await state();
    assert.deepEqual([after.operation, after.active?.version, after.history.at(-1)?.outcome], [null, live.version, 'aborted']);
    assert.equal(hasTrafficLog(await readCaddyConfig(project)), false, 'the way back took the traffic log out');
  });

  test('a healthy version with the same 2% background errors as the old is promoted; the log is in Caddy during the canary only', async () => {
    const live = (await state()).active;
    assert.ok(live !== null);
    const newColor = otherColor(live.color);
    // Background errors on the paths of the load (the probes' / stays fine: they are judged apart, against 1 %).
    const background = async (color: 'blue' | 'green'): Promise<void> => {
      await failShare(project, color, 0.02, '/version');
      await failShare(project, color, 0.02, '/echo');
    };
    await background(live.color);
    const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    let firstStep = true;
    runtime.beforeSwitchWrite = async () => {
      if (!firstStep) return;
      firstStep = false;
      await background(newColor);
    };
    const canary = canaryOptionsFrom({ canary: '20,50', stepInterval: '2s' });
    assert.ok(canary !== undefined);
    const load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 2, freshClients: 0, slowClients: 0, slowMs: 0, postEvery: 5, maxDurationMs: 180_000 });
    let logInDuringCanary = false;
    const watcher = setInterval(() => {
      readCaddyConfig(project).then(
        (config) => (logInDuringCanary ||= hasTrafficLog(config)),
        () => undefined,
      );
    }, 300);
    try {
      await deploy(runtime, { version: 'v3', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal, canary });
    } catch (error) {
      assert.fail(`${String(error)}\n${log.text()}`);
    } finally {
      clearInterval(watcher);
      const samples = await load.stop();
      await runtime.close();
      console.log(`load: ${JSON.stringify(summarizeLoad(samples))}`);
    }
    const analyses = log.events('canary.analysis');
    assert.equal(analyses.length, 2);
    for (const analysis of analyses) {
      const figures = analysis.figures as Record<string, number>;
      // Both colors really had background errors and real requests in the window: the comparison was made.
      assert.ok((figures['real.new.requests'] ?? 0) > 0 && (figures['real.old.errors'] ?? 0) > 0, JSON.stringify(figures));
    }
    assert.ok(logInDuringCanary, 'the traffic log was in Caddy during the steps');
    assert.equal(hasTrafficLog(await readCaddyConfig(project)), false, 'the full switch took it out');
    assert.deepEqual([(await state()).active?.version, (await state()).active?.color], ['v3', newColor]);
    assert.ok(existsSync(path.join(project.dir, 'caddy', 'cutover-traffic.log')), 'Caddy on the host wrote the file next to the state file');
    await failShare(project, newColor, 0);
    await failShare(project, live.color, 0);
  });

  test("a traffic log left by a canary that died: status warns, reconcile removes it in a change of its own, routing untouched", async () => {
    const { runtime } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    try {
      const read = await runtime.admin.readConfig();
      const leftover = withTrafficLog(read.value as JsonObject, { filename: path.join(project.dir, 'caddy', 'cutover-traffic.log') });
      await runtime.admin.changeConfig('PATCH', '/config/', leftover, { ifMatch: read.etag });
    } finally {
      await runtime.close();
    }
    // In-process, as `cutover status --json` and `cutover reconcile` run them (a CLI start costs seconds on a loaded machine).
    const { runtime: inspector, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    try {
      const report = buildStatusReport(await observeStatus(inspector));
      assert.equal(report.exitCode, 0, JSON.stringify(report.problems));
      assert.deepEqual(report.problems.filter((p) => p.kind === 'traffic-log-left').map((p) => p.severity), ['warning']);
      const serversBefore = JSON.stringify(((await readCaddyConfig(project)).apps as JsonObject).http);
      await reconcile(inspector, { dryRun: false, signal: new AbortController().signal });
      assert.equal(log.events('traffic-log.removed').length, 1, log.text());
      const config = await readCaddyConfig(project);
      assert.equal(hasTrafficLog(config), false);
      assert.equal(JSON.stringify((config.apps as JsonObject).http), serversBefore);
      const again = buildStatusReport(await observeStatus(inspector));
      assert.deepEqual(again.problems.filter((p) => p.kind === 'traffic-log-left'), []);
    } finally {
      await inspector.close();
    }
  });
});
