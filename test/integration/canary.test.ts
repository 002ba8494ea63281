/**
 * Weighted canaries end to end on the real Caddy of the tests (2.6.2, which
 * splits by duplicated upstream entries) and real containers: exact fractions
 * at each step, pause with promote and abort from a second process, automatic
 * abort when the new version starts failing, a killed canary finished by
 * abort, sticky sessions, and --analysis-cmd checks that abort or promote.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { detectCaddyFeatures } from '../../src/adapters/caddy/detect-caddy-features.js';
import { canaryOptionsFrom } from '../../src/commands/canary-flags.js';
import { CanaryAbortedError } from '../../src/errors.js';
import { deploy } from '../../src/run/deploy.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createDeployedHostModeProject } from '../rig/deployed-host-mode-project.js';
import type { HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { startLoad, summarizeLoad } from '../rig/load-client.js';
import { runCli, spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { testRuntime } from '../rig/test-runtime.js';
import { assertOneLineError } from '../rig/assert-one-line-error.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('canary');
// These cases judge errors, steps and control; a fresh container's slower first requests on a busy host must not abort them.
const LATENCY_NOT_JUDGED = ['--max-latency-p99', '5s', '--latency-margin', '5s'];
const docker = rigDockerClient();
let project: HostModeProject;

async function state(): Promise<{ operation: { toColor: string; canary?: { paused: boolean; stepIndex: number; weights: Record<string, number>; analysis?: { figures: Record<string, number> } }; id: string } | null; active: { color: string; version: string } | null; standby: { color: string; version: string } | null; history: Array<{ outcome: string; kind: string; reason?: string }> }> {
  return JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'));
}

async function pausedAt(stepIndex: number): Promise<void> {
  await waitUntil(`the canary to pause at step ${stepIndex + 1}`, 60_000, async () => {
    const canary = (await state()).operation?.canary;
    return canary?.paused === true && canary.stepIndex === stepIndex ? true : undefined;
  });
}

/** Sends `count` sequential GET /version on one keep-alive connection; returns how many each version answered. */
async function fractions(count: number): Promise<Record<string, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const seen: Record<string, number> = {};
  try {
    for (let i = 0; i < count; i += 1) {
      const body = await new Promise<string>((resolve, reject) => {
        http.get(project.caddy.url('/version'), { agent }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      seen[body] = (seen[body] ?? 0) + 1;
    }
  } finally {
    agent.destroy();
  }
  return seen;
}

function cli(args: string[]) {
  return runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, ...args]);
}

describe('canary deploys', () => {
  before(async () => {
    project = await createDeployedHostModeProject(docker, scope, ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
  });
  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('this Caddy (2.6.2) is detected as splitting by duplicated entries, without a config load', async () => {
    const { runtime } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    try {
      const before = (await runtime.admin.readConfig()).etag;
      assert.deepEqual(await detectCaddyFeatures(runtime.admin), { weights: 'duplicates', cookieFallback: false });
      assert.equal((await runtime.admin.readConfig()).etag, before);
    } finally {
      await runtime.close();
    }
  });

  test('10% and 25% steps split 1,000 requests within 2 points; promote from a second process finishes it', async () => {
    const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    // 3 s a step: the probes run every 100 ms and a step needs 10 of the new color's, which a 1 s step on a loaded host missed (no verdict: aborted).
    const canary = canaryOptionsFrom({ canary: '10,25', stepInterval: '3s', pause: true, maxLatencyP99: '5s', latencyMargin: '5s' });
    const running = deploy(runtime, { version: 'v2', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal, canary });
    const outcome = running.then(() => undefined, (error: unknown) => error);
    try {
      await pausedAt(0);
      const ten = await fractions(1000);
      assert.ok(Math.abs((ten.v2 ?? 0) / 10 - 10) <= 2, `at 10%: ${JSON.stringify(ten)}`);
      const paused = (await state()).operation?.canary;
      assert.deepEqual(paused?.weights, { blue: 10, green: 90 });
      assert.ok((paused?.analysis?.figures['new.probes'] ?? 0) > 0, JSON.stringify(paused?.analysis));
      const status = await cli(['status', '--json']);
      assert.match(status.stdout, /"paused":\s*true/);

      const promote = await cli(['promote']);
      assert.equal(promote.code, 0, promote.stderr);
      await pausedAt(1);
      const quarter = await fractions(1000);
      assert.ok(Math.abs((quarter.v2 ?? 0) / 10 - 25) <= 2, `at 25%: ${JSON.stringify(quarter)}`);
      // Slow requests keep both colors busy through the final switch: the drain must wait for the old color only.
      const load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 0, freshClients: 0, slowClients: 3, slowMs: 400, postEvery: 1, maxDurationMs: 180_000 });
      try {
        assert.equal((await cli(['promote'])).code, 0);
        assert.equal(await outcome, undefined, log.text());
      } finally {
        await load.stop();
      }
      const drain = log.events('phase.done').find((r) => r.phase === 'draining');
      assert.ok(drain !== undefined && (drain.ms as number) < 5_000, `drain took ${String(drain?.ms)} ms (DRAIN_TIMEOUT is 30 s)`);
    } finally {
      await runtime.close();
    }
    assert.deepEqual(await fractions(20), { v2: 20 });
    const after = await state();
    assert.deepEqual([after.active?.color, after.active?.version, after.operation, after.history.at(-1)?.kind], ['blue', 'v2', null, 'canary']);
    // The user's load balancing is back: one upstream per service, no round_robin left by the canary.
    const reader = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress }).runtime;
    const config = JSON.stringify((await reader.admin.readConfig()).value);
    await reader.close();
    assert.ok(!config.includes('"round_robin"'), 'the canary policy was removed');
  });

  test('a new version that starts failing in step 2 is aborted within the bound, all traffic back on the old color, the standby back', async () => {
    const standbyBefore = (await state()).standby;
    assert.ok(standbyBefore !== null, 'the test starts with a warm standby');
    const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    const stepIntervalMs = 20_000;
    const canary = canaryOptionsFrom({ canary: '10,50', stepInterval: '20s', maxLatencyP99: '5s', latencyMargin: '5s' });
    const load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 2, freshClients: 0, slowClients: 0, slowMs: 0, postEvery: 1_000_000, maxDurationMs: 180_000 });
    const running = deploy(runtime, { version: 'v3', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal, canary });
    const outcome = running.then(() => undefined, (error: unknown) => error);
    let failingSince = 0;
    try {
      // A canary that ended before step 2 (an abort at step 1, a failed start) says why, instead of a bare timeout.
      const ended = outcome.then((error) => ({ ended: error ?? 'finished without error' }));
      const reached = await Promise.race([waitUntil('step 2', 60_000, async () => ((await state()).operation?.canary?.stepIndex === 1 ? true : undefined)), ended]).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${log.text()}`);
      });
      assert.equal(reached, true, `the canary did not reach step 2: ${String((reached as { ended: unknown }).ended)}\n${log.text()}`);
      const newColor = (await state()).operation?.toColor ?? 'unknown';
      // Make every new container fail its requests, through the preview route.
      for (const path of ['/control/errors?fail=1', '/api/control/errors?fail=1']) {
        await new Promise<void>((resolve, reject) => {
          const req = http.request(project.caddy.url(path), { method: 'POST', agent: false, headers: { 'Cutover-Color': newColor } }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          });
          req.on('error', reject);
          req.end();
        });
      }
      failingSince = Date.now();
      const error = await outcome;
      const abortedAfter = Date.now() - failingSince;
      assert.ok(error instanceof CanaryAbortedError, `${String(error)}\n${log.text()}`);
      assert.match(error.message, new RegExp(`canary aborted at 50%: ${newColor} error rate`));
      const samples = await load.stop();
      const during = samples.filter((s) => s.startedAt >= failingSince - 50);
      const failed = during.filter((s) => s.error !== undefined).length;
      const elapsedS = (Math.max(...samples.map((s) => s.endedAt)) - Math.min(...samples.map((s) => s.startedAt))) / 1000;
      const rate = samples.length / elapsedS;
      const bound = 0.5 * (stepIntervalMs / 1000) * rate;
      console.log(`abort ${abortedAfter} ms after failing began; ${failed} failed requests; bound weight x interval x rate = ${bound.toFixed(0)} (${rate.toFixed(0)} req/s); ${JSON.stringify(summarizeLoad(samples))}`);
      assert.ok(failed <= bound, `${failed} failed requests exceed the bound ${bound}`);
      assert.ok(failed > 0, 'the failure was real: some requests did reach the failing version');
    } finally {
      await load.stop();
      await runtime.close();
    }
    const after = await state();
    assert.deepEqual(await fractions(20), { [after.active?.version ?? '']: 20 });
    assert.deepEqual([after.operation, after.history.at(-1)?.outcome], [null, 'aborted']);
    // The failed version was removed and the previous standby, parked during the canary, is back as it was.
    assert.deepEqual(after.standby, standbyBefore);
    const preview = await httpGet(project.caddy.url('/version'), { headers: { 'Cutover-Color': standbyBefore.color } });
    assert.deepEqual([preview.status, preview.body], [200, standbyBefore.version]);
  });

  test('a killed canary leaves the weights as they were; abort from another process finishes it', async () => {
    const live = (await state()).active;
    const run = spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'deploy', 'v4', '--canary', '25,pause', '--step-interval', '3s', '--max-latency-p99', '5s', '--latency-margin', '5s']);
    await pausedAt(0);
    run.child.kill('SIGKILL');
    await run.done;
    const split = await fractions(400);
    assert.deepEqual(split, { v4: 100, [live?.version ?? '']: 300 }, 'the 25% weights stay after the kill');
    const status = await cli(['status']);
    assert.match(status.stdout, /canary/);
    // A request still being answered by the canary's color when it is aborted (here a preview, held 3 s)
    // is answered: the undo waits for it before removing the containers, instead of cutting it (502).
    const newColor = live?.color === 'blue' ? 'green' : 'blue';
    const held = httpGet(project.caddy.url('/slow?ms=3000'), { headers: { 'Cutover-Color': newColor } });
    await waitUntil('the held request in flight in Caddy', 10_000, async () => {
      const rows = JSON.parse((await httpGet(`${project.caddy.adminAddress}/reverse_proxy/upstreams`)).body) as Array<{ num_requests: number }>;
      return rows.some((row) => row.num_requests > 0) ? true : undefined;
    });
    const abort = await cli(['abort']);
    assert.equal(abort.code, 0, abort.stderr);
    assert.deepEqual([(await held).status, (await held).body], [200, 'v4'], 'the request in flight to the aborted color was answered');
    assert.match(abort.stdout, new RegExp(`aborted: traffic is back on ${live?.color} \\(${live?.version}\\); the canary's process was gone`));
    assert.deepEqual(await fractions(20), { [live?.version ?? '']: 20 });
    const after = await state();
    assert.deepEqual([after.operation, after.history.at(-1)?.outcome], [null, 'aborted']);
  });

  test('Ctrl-C during a canary goes back to the old color and removes the new one', async () => {
    const live = (await state()).active;
    const run = spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'deploy', 'v5', '--canary', '25,pause', '--step-interval', '3s', '--max-latency-p99', '5s', '--latency-margin', '5s']);
    await pausedAt(0);
    run.child.kill('SIGINT');
    assert.equal(await run.done, 1, run.stderr());
    assert.match(run.stderr(), /interrupted by SIGINT/);
    assert.deepEqual(await fractions(20), { [live?.version ?? '']: 20 });
    const versions = (await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`, 'cutover.version=v5'] } })).length;
    assert.equal(versions, 0, 'the v5 containers were removed');
    const after = await state();
    assert.deepEqual([after.operation, after.history.at(-1)?.outcome, after.active?.version], [null, 'failed', live?.version]);
  });

  test('sticky: a client with the cookie stays on its color for 100 requests', async () => {
    const run = spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'deploy', 'v5', '--canary', '50,pause', '--step-interval', '3s', '--sticky', '--max-latency-p99', '5s', '--latency-margin', '5s']);
    try {
      await pausedAt(0);
      for (let client = 0; client < 6; client += 1) {
        const first = await httpGet(project.caddy.url('/version'));
        const cookie = (first.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c?.startsWith('cutover_color='));
        assert.ok(cookie !== undefined, JSON.stringify(first.headers));
        for (let i = 0; i < 100; i += 1) assert.equal((await httpGet(project.caddy.url('/version'), { headers: { cookie } })).body, first.body);
      }
      const abort = await cli(['abort']);
      assert.equal(abort.code, 0, abort.stderr);
      assert.equal(await run.done, 14);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
  test('--analysis-cmd: refused before anything changes when empty or missing; a check failing at its second look aborts (exit 14); one that passes promotes', async () => {
    const before = await state();
    assertOneLineError(await cli(['deploy', 'v6', '--canary', '50', '--analysis-cmd', '']), 2, /--analysis-cmd is empty/);
    assertOneLineError(await cli(['deploy', 'v6', '--canary', '50', '--analysis-cmd', 'cutover-no-such-check']), 2, /--analysis-cmd: cutover-no-such-check is not an executable file on PATH/);
    assert.deepEqual(await state(), before, 'the refusals changed nothing');
    const live = before.active;
    // Counts its runs in the project directory (its working directory); the second run fails.
    const countingCheck = `sh -c 'n=$(($(cat looks 2>/dev/null || echo 0) + 1)); echo $n > looks; echo "look $n of step $CUTOVER_STEP: $CUTOVER_WEIGHT% to $CUTOVER_TO_COLOR $CUTOVER_TO_VERSION from $CUTOVER_FROM_VERSION"; [ $n -lt 2 ]'`;
    const failing = await cli(['deploy', 'v6', '--canary', '50', '--step-interval', '20s', ...LATENCY_NOT_JUDGED, '--analysis-cmd', countingCheck]);
    assert.equal(failing.code, 14, failing.stderr);
    assert.match(failing.stderr, new RegExp(`canary aborted at 50%: analysis command sh failed with exit code 1: look 2 of step 1: 50% to \\w+ v6 from ${live?.version}`));
    assert.equal((await readFile(path.join(project.dir, 'looks'), 'utf8')).trim(), '2', 'no run after the failed one');
    assert.deepEqual(await fractions(20), { [live?.version ?? '']: 20 });
    assert.deepEqual([(await state()).operation, (await state()).history.at(-1)?.outcome], [null, 'aborted']);
    const passing = await cli(['deploy', 'v7', '--canary', '50', '--step-interval', '3s', ...LATENCY_NOT_JUDGED, '--analysis-cmd', `sh -c 'echo "$CUTOVER_STEP $CUTOVER_WEIGHT $CUTOVER_FROM_WEIGHT" >> passed'`]);
    assert.equal(passing.code, 0, passing.stderr);
    const looks = (await readFile(path.join(project.dir, 'passed'), 'utf8')).trim().split('\n');
    assert.ok(looks.length >= 1 && looks.every((line) => line === '1 50 50'), looks.join('|'));
    assert.deepEqual(await fractions(20), { v7: 20 });
  });
});
