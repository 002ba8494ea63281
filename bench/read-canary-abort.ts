import type { LoadSample } from '../test/rig/load-client.js';

/** The cost of a canary whose new version started failing, against the bound a step gives. */
export interface CanaryAbortFigures {
  /** Percent of traffic on the new color when it started failing. */
  weight: number;
  /** From "told to fail" to the failed analysis (`canary.analysis`, ok false); undefined when there was none. */
  detectedMs: number | undefined;
  /** From "told to fail" to all traffic back on the old color (`canary.reverted`); undefined when there was none. */
  revertedMs: number | undefined;
  /**
   * Requests that failed while the new version failed and still got traffic:
   * they ended after "told to fail" (so a request already in flight then
   * counts) and started before the revert.
   */
  failedBeforeAbort: number;
  /** All requests in that window, failed or not. */
  requestsBeforeAbort: number;
  /** Requests that started after the revert and failed (in flight on the failing color, or none). */
  failedAfterAbort: number;
  /** Request rate of the load while the canary's steps ran (from step 1 to the revert), per second. */
  ratePerSecond: number;
  /** weight x step interval x request rate: what a failure caught only at the end of the step would cost. */
  bound: number;
}

export interface CanaryAbortTimes {
  weight: number;
  stepIntervalMs: number;
  /** The canary's first step (its weights live). */
  firstStepAt: number;
  /** When the bench sent the request that makes the new version fail. */
  failingAt: number;
  detectedAt: number | undefined;
  revertedAt: number | undefined;
}

/** Pure: the figures of an aborted canary from the load's samples and the times of its events. */
export function readCanaryAbort(samples: readonly LoadSample[], times: CanaryAbortTimes): CanaryAbortFigures {
  const revertedAt = times.revertedAt ?? Number.POSITIVE_INFINITY;
  const failed = samples.filter((s) => s.error !== undefined);
  const during = samples.filter((s) => s.startedAt >= times.firstStepAt && s.startedAt < revertedAt);
  const lastStart = Math.min(revertedAt, Math.max(times.firstStepAt, ...during.map((s) => s.startedAt)));
  const seconds = Math.max(0.001, (lastStart - times.firstStepAt) / 1000);
  const ratePerSecond = during.length / seconds;
  return {
    weight: times.weight,
    detectedMs: times.detectedAt === undefined ? undefined : times.detectedAt - times.failingAt,
    revertedMs: times.revertedAt === undefined ? undefined : times.revertedAt - times.failingAt,
    failedBeforeAbort: failed.filter((s) => s.endedAt >= times.failingAt && s.startedAt < revertedAt).length,
    requestsBeforeAbort: samples.filter((s) => s.endedAt >= times.failingAt && s.startedAt < revertedAt).length,
    failedAfterAbort: failed.filter((s) => s.startedAt >= revertedAt).length,
    ratePerSecond,
    bound: (times.weight / 100) * (times.stepIntervalMs / 1000) * ratePerSecond,
  };
}
