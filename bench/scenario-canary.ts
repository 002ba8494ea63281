/**
 * cutover's weighted canary under the benchmark's load, as the CLI runs it
 * (`deploy --canary 10,25,50 --step-interval 4s`), twice on one project:
 *
 * 1. v2, healthy: the share of v2 answers the load measured at each step,
 *    against the step's weight;
 * 2. v3, told to fail (`POST /control/errors?fail=1` through the preview
 *    route, as test/integration/canary.test.ts does) 1 s into step 2: how long
 *    until the analysis caught it and all traffic was back on the old color,
 *    and how many requests failed meanwhile, against the bound
 *    weight x step interval x request rate.
 */
import type Docker from 'dockerode';
import { canaryOptionsFrom } from '../src/commands/canary-flags.js';
import { CanaryAbortedError } from '../src/errors.js';
import { deploy } from '../src/run/deploy.js';
import type { LoadRun, LoadSample } from '../test/rig/load-client.js';
import { testScope } from '../test/rig/run-id.js';
import { buildTestImage } from '../test/rig/test-image.js';
import type { BenchLogger, LogEvent } from './bench-logger.js';
import { createBenchProject } from './bench-project.js';
import { summarizeCaddyErrors } from './caddy-errors.js';
import type { CanaryResult } from './canary-result.js';
import { failColor } from './fail-color.js';
import { pause, startBenchLoad, waitForSteadyLoad } from './load-profile.js';
import { operate } from './operate.js';
import { formatMs, say } from './progress.js';
import { tearDownScenario } from './tear-down-scenario.js';
import { readCanaryAbort } from './read-canary-abort.js';
import { readCanarySteps } from './read-canary-steps.js';
import { countWindow, readLoadShape } from './read-samples.js';

const CANARY_SPEC = '10,25,50';
const STEP_INTERVAL = '4s';
/** The failing canary's new version is told to fail this long after this step began. */
const FAILING_STEP = 2;
const FAIL_AFTER_MS = 1_000;
/** Far above a canary's start, health and steps here (about 20 s). */
const STEP_WAIT_MS = 60_000;

/** Failed samples grouped by kind, connection and error, on one line each. */
function describeFailures(failed: readonly LoadSample[]): string {
  const counts = new Map<string, number>();
  for (const s of failed) {
    const key = `${s.kind}/${s.connection}: ${(s.error ?? '').replace(/\s+/g, ' ').trim()}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${n}× ${key}`).join('; ');
}

/** For a few failed samples: when each started, relative to the nearest change of Caddy's config (a reload). */
function nearestChanges(failed: readonly LoadSample[], log: BenchLogger): string {
  const acks = log.events('switch.acknowledged');
  if (acks.length === 0 || failed.length > 5) return '';
  const at = failed.map((s) => {
    const nearest = acks.reduce((best, a) => (Math.abs(a.time - s.startedAt) < Math.abs(best.time - s.startedAt) ? a : best));
    const delta = s.startedAt - nearest.time;
    return `${formatMs(Math.abs(delta))} ${delta < 0 ? 'before' : 'after'} Caddy acknowledged "${String(nearest.what)}"`;
  });
  return ` (started ${at.join('; ')})`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * How the drain after the final switch ended. It waits until Caddy counts no
 * request in flight to the old color's dials; when it runs into DRAIN_TIMEOUT
 * instead, this says which dials still counted, and whether they are the new
 * color's own (then the drain waited on live traffic, not on the old color).
 */
function describeDrain(label: string, log: BenchLogger): string[] {
  const done = log.events('phase.done').find((e) => e.phase === 'draining');
  if (done !== undefined) return [`${label} the drain after the final switch ended in ${formatMs(Number(done.ms))} (Caddy counted 0 requests in flight to the old color)`];
  const timeout = log.events('drain.timeout')[0];
  if (timeout === undefined) return [];
  const remaining = Object.keys((timeout.remaining ?? {}) as Record<string, number>);
  const liveDials = new Set(log.events('switch.service').flatMap((e) => (Array.isArray(e.to) ? e.to.map(String) : [])));
  const own = remaining.filter((dial) => liveDials.has(dial));
  return [
    `${label} the drain after the final switch ran into DRAIN_TIMEOUT (${formatMs(Number(timeout.ms))}) with requests in flight to ${remaining.join(', ')}` +
      (own.length > 0 ? `: ${own.join(', ')} is the NEW color's own dial, now live, so under load its count never reaches 0 (the final switch's "from" is the canary's split, which lists both colors)` : ''),
  ];
}

/** How this Caddy splits traffic (weighted_round_robin, or duplicated entries with round_robin on 2.6). */
function describeFeatures(label: string, log: BenchLogger): string[] {
  const features = log.events('canary.features')[0];
  if (features === undefined) return [];
  return [`${label} Caddy splits by ${features.weights === 'native' ? 'weighted_round_robin' : 'duplicated upstream entries (round_robin)'}; the analysis probes ${String(features.probeUrl)} for each color`];
}

/** One line per step's analysis: how many probes each color got, and their p99s. */
function describeAnalyses(label: string, log: BenchLogger): string[] {
  return log.events('canary.analysis').map((e: LogEvent) => {
    const f = (e.figures ?? {}) as Record<string, number>;
    return `${label} step ${String(e.step)} analysis ${e.ok === true ? 'ok' : 'FAILED'}: new color ${f['new.probes'] ?? 0} probes, ${f['new.errors'] ?? 0} errors, p99 ${formatMs(f['new.p99Ms'])}; old color ${f['old.probes'] ?? 0} probes, p99 ${formatMs(f['old.p99Ms'])}`;
  });
}

export async function runCanaryScenario(docker: Docker, signal: AbortSignal): Promise<CanaryResult> {
  const scope = testScope('bench-canary');
  say(`canary: building images v1, v2, v3 (${scope.prefix}-app)`);
  await Promise.all(['v1', 'v2', 'v3'].map((v) => buildTestImage(docker, scope, v)));
  const project = await createBenchProject(docker, scope, { drainTimeout: '30' });
  let load: LoadRun | undefined;
  try {
    const canary = canaryOptionsFrom({ canary: CANARY_SPEC, stepInterval: STEP_INTERVAL });
    if (canary === undefined) throw new Error('canaryOptionsFrom returned no canary');
    const request = { pull: 'never' as const, stopOld: false, dryRun: false, verifyUrl: undefined, signal };
    say('  first deploy: cutover deploy v1 (no load)');
    await operate(project, 'deploy v1', (runtime) => deploy(runtime, { ...request, version: 'v1' }));

    // 1. A healthy canary: the share of v2 at each step.
    load = startBenchLoad(project.caddy.url('/'));
    await waitForSteadyLoad(load, signal);
    say(`  cutover deploy v2 --canary ${CANARY_SPEC} --step-interval ${STEP_INTERVAL} under load`);
    const healthyFrom = Date.now();
    const healthy = await operate(project, 'canary v2', (runtime) => deploy(runtime, { ...request, version: 'v2', canary }).then(() => undefined, (error: unknown) => error));
    if (signal.aborted) throw signal.reason as Error;
    await pause(1_500, signal);
    const healthySamples = await load.stop();
    load = undefined;
    const healthyEnd = Date.now();
    const healthyCounts = countWindow(healthySamples, healthyFrom, healthyEnd);
    const healthyShape = readLoadShape(healthySamples);

    // 2. A canary whose new version starts failing during step 2.
    load = startBenchLoad(project.caddy.url('/'));
    await waitForSteadyLoad(load, signal);
    say(`  cutover deploy v3 --canary ${CANARY_SPEC} --step-interval ${STEP_INTERVAL} under load; v3 fails from ${formatMs(FAIL_AFTER_MS)} into step ${FAILING_STEP}`);
    let sabotageError: unknown;
    const failing = await operate(project, 'canary v3', async (runtime, log) => {
      const running = deploy(runtime, { ...request, version: 'v3', canary }).then(() => undefined, (error: unknown) => error);
      const deployOver = new AbortController();
      void running.finally(() => deployOver.abort(new Error(`the deploy ended before step ${FAILING_STEP}`)));
      const watch = AbortSignal.any([signal, deployOver.signal]);
      const sabotage = (async () => {
        const step = await log.waitFor('canary.step', (e) => Number(e.step) === FAILING_STEP, { signal: watch, timeoutMs: STEP_WAIT_MS });
        await pause(FAIL_AFTER_MS, watch);
        const color = String(step.color);
        const at = Date.now();
        // web carries the load and the canary's probes; api is told too, as in the test.
        await failColor(project.caddy.url('/control/errors?fail=1'), color);
        await failColor(project.caddy.url('/api/control/errors?fail=1'), color);
        return { at, weight: Number(step.weight) };
      })();
      const outcome = await running;
      const told = await sabotage.catch((error: unknown) => {
        sabotageError = error;
        return undefined;
      });
      return { outcome, told };
    });
    if (signal.aborted) throw signal.reason as Error;
    await pause(1_500, signal);
    const failingSamples: LoadSample[] = await load.stop();
    load = undefined;

    const { outcome, told } = failing.result;
    const firstStepAt = failing.log.events('canary.step')[0]?.time;
    const figures =
      told === undefined || firstStepAt === undefined
        ? undefined
        : readCanaryAbort(failingSamples, {
            weight: told.weight,
            stepIntervalMs: canary.stepIntervalMs,
            firstStepAt,
            failingAt: told.at,
            detectedAt: failing.log.events('canary.analysis').find((e) => e.ok === false)?.time,
            revertedAt: failing.log.events('canary.reverted')[0]?.time,
          });

    const notes = [
      `healthy canary: the deploy of v2 (start, health, ${canary.steps.weights.length} steps of ${STEP_INTERVAL}, switch, drain) took ${formatMs(healthy.ms)}; GET latency over its load p50 ${formatMs(healthyShape.getP50)}, p99 ${formatMs(healthyShape.getP99)}`,
      ...describeFeatures('healthy canary:', healthy.log),
      ...describeAnalyses('healthy canary:', healthy.log),
      ...describeDrain('healthy canary:', healthy.log),
      `failing canary: ${outcome instanceof Error ? outcome.message : 'the deploy finished: v3 was NOT aborted'}`,
      ...describeAnalyses('failing canary:', failing.log),
    ];
    if (sabotageError !== undefined) notes.push(`failing canary: v3 was not told to fail: ${errorText(sabotageError)}`);
    if (told !== undefined) {
      const failed = failingSamples.filter((s) => s.error !== undefined);
      const before = failed.filter((s) => s.endedAt < told.at);
      const since = failed.filter((s) => s.endedAt >= told.at);
      if (before.length > 0) notes.push(`failing canary: ${before.length} request(s) failed before v3 was told to fail: ${describeFailures(before)}${nearestChanges(before, failing.log)}`);
      if (since.length > 0) notes.push(`failing canary: the failures from then on: ${describeFailures(since)}`);
    }
    const caddyErrors = summarizeCaddyErrors(project.caddy.logs());
    if (caddyErrors.length > 0) notes.push(`Caddy's error log (both canaries): ${caddyErrors.join('; ')}`);
    const healthyFailed = healthySamples.filter((s) => s.error !== undefined && s.startedAt >= healthyFrom);
    if (healthyFailed.length > 0) notes.push(`healthy canary: failures during the deploy: ${describeFailures(healthyFailed)}${nearestChanges(healthyFailed, healthy.log)}`);

    return {
      spec: CANARY_SPEC,
      stepInterval: STEP_INTERVAL,
      stepIntervalMs: canary.stepIntervalMs,
      healthy: {
        version: 'v2',
        steps: readCanarySteps(healthySamples, healthy.log.events, 'v2', healthyEnd),
        stoppedBy: healthy.result === undefined ? undefined : errorText(healthy.result),
        deployMs: healthy.ms,
        requests: healthySamples.length,
        load: healthyShape,
        failed: healthyCounts.failed,
        resets: healthyCounts.resets,
      },
      failing: {
        version: 'v3',
        failAfterMs: FAIL_AFTER_MS,
        failingStep: FAILING_STEP,
        figures,
        outcome: outcome === undefined ? 'finished (not aborted)' : errorText(outcome),
        aborted: outcome instanceof CanaryAbortedError,
        requests: failingSamples.length,
        load: readLoadShape(failingSamples),
      },
      notes,
    };
  } finally {
    await tearDownScenario(docker, scope, project, load);
  }
}
