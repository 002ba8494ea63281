/**
 * The demo's report of the broken release's canary: when the real-traffic
 * analysis caught it, what the users' requests paid meanwhile, and that no
 * request failed or reached the broken version once traffic was back.
 */
import { formatDuration } from '../../src/domain/format-duration.js';
import type { LoadSample } from '../../test/rig/load-client.js';
import type { CliRun } from './run-cli.js';
import type { RouteSample } from './route-load.js';

export interface BrokenCanaryReport {
  lines: string[];
  /** What the demo must fail on: the canary went on, or requests failed or reached the broken version after the revert. */
  faults: string[];
}

const CANARY_ABORTED_EXIT = 14;

interface Window {
  firstStepAt: number;
  weight: number;
  stepIntervalMs: number;
  detectedAt: number | undefined;
  revertedAt: number | undefined;
  /** Steps that went live: more than one means the analysis missed it at the first. */
  steps: number;
}

function readWindow(run: CliRun, stepIntervalMs: number): Window | undefined {
  const steps = run.events.filter((e) => e.event === 'canary.step');
  const first = steps[0];
  if (first === undefined) return undefined;
  return {
    firstStepAt: first.at,
    weight: typeof first.weight === 'number' ? first.weight : 0,
    stepIntervalMs,
    detectedAt: run.events.find((e) => e.event === 'canary.analysis' && e.ok === false)?.at,
    revertedAt: run.events.find((e) => e.event === 'canary.reverted')?.at,
    steps: steps.length,
  };
}

/** Pure: the report from the command's events and both loads' samples. */
export function reportBrokenCanary(run: CliRun, load: readonly LoadSample[], routes: readonly RouteSample[], versions: { broken: string; live: string; stepIntervalMs: number }): BrokenCanaryReport {
  const faults: string[] = [];
  if (run.code !== CANARY_ABORTED_EXIT) faults.push(`\`${run.command}\` exited with ${run.code}, not ${CANARY_ABORTED_EXIT} (canary aborted)`);
  const window = readWindow(run, versions.stepIntervalMs);
  if (window === undefined) return { lines: ['no canary step went live'], faults: [...faults, 'no canary step went live'] };
  if (window.steps > 1) faults.push(`the canary reached step ${window.steps}: its first step's analysis did not catch ${versions.broken}`);
  const revertedAt = window.revertedAt ?? Number.POSITIVE_INFINITY;
  const during = (startedAt: number): boolean => startedAt >= window.firstStepAt && startedAt < revertedAt;
  const loadDuring = load.filter((s) => during(s.startedAt));
  const routesDuring = routes.filter((s) => during(s.startedAt));
  const failedDuring = loadDuring.filter((s) => s.error !== undefined).length + routesDuring.filter((s) => s.error !== undefined).length;
  const brokenAnswers = routesDuring.filter((s) => s.version === versions.broken).length + loadDuring.filter((s) => s.version === versions.broken).length;
  const requestsDuring = loadDuring.length + routesDuring.length;
  const lastStart = Math.max(window.firstStepAt, ...loadDuring.map((s) => s.startedAt), ...routesDuring.map((s) => s.startedAt));
  const seconds = Math.max(0.001, (Math.min(revertedAt, lastStart) - window.firstStepAt) / 1000);
  const after = { load: load.filter((s) => s.startedAt >= revertedAt), routes: routes.filter((s) => s.startedAt >= revertedAt) };
  const failedAfter = after.load.filter((s) => s.error !== undefined).length + after.routes.filter((s) => s.error !== undefined).length;
  const brokenAfter = after.load.filter((s) => s.version === versions.broken).length + after.routes.filter((s) => s.version === versions.broken).length;
  if (window.revertedAt === undefined) faults.push('the traffic was never sent back to the live color (no canary.reverted event)');
  if (failedAfter > 0) faults.push(`${failedAfter} request(s) started after the revert FAILED`);
  if (brokenAfter > 0) faults.push(`${brokenAfter} request(s) started after the revert were answered by ${versions.broken}`);
  // What a canary judged only at the end of its step would send to the broken version: the step's share of the traffic for the whole step.
  const bound = (window.weight / 100) * (versions.stepIntervalMs / 1000) * (requestsDuring / seconds);
  const ms = (at: number | undefined): string => (at === undefined ? 'never' : formatDuration(at - window.firstStepAt));
  const lines = [
    `canary ${versions.broken}: exit ${run.code}; ${window.weight}% of the traffic went to ${versions.broken} for ${ms(window.revertedAt)} (step 1 of the canary; ${window.steps} step(s) live in all)`,
    `  caught:      the analysis failed ${ms(window.detectedAt)} after the first step went live; all traffic back on ${versions.live} ${ms(window.revertedAt)} after it`,
    `  meanwhile:   ${requestsDuring} requests (${(requestsDuring / seconds).toFixed(0)}/s), ${brokenAnswers} answered by ${versions.broken}, ${failedDuring} failed;`,
    `               a step judged only at its end (${formatDuration(versions.stepIntervalMs)} at ${window.weight}%) would have sent it about ${Math.round(bound)} requests at this rate`,
    `  after it:    ${after.load.length + after.routes.length} requests, ${failedAfter} failed, ${brokenAfter} answered by ${versions.broken}`,
  ];
  return { lines, faults };
}
