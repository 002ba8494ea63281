import { parseDuration } from '../config/parse-duration.js';
import type { Color } from '../config/model.js';
import { UsageError } from '../errors.js';
import type { ColorFigures } from './color-figures.js';
import { formatPercent } from './describe-canary-figures.js';
import { formatDuration } from './format-duration.js';
import { oneSidedProportionTest } from './one-sided-proportion-test.js';

/** When a canary step fails. Every field has a default (DEFAULT_CANARY_THRESHOLDS). */
export interface CanaryThresholds {
  /** Highest error rate (5xx, connection failures, timeouts) of the new color's probes, a fraction. Default 0.01. `--max-error-rate`. */
  maxErrorRate: number;
  /** Highest p99 latency of the new color's probes in ms, whatever the old color does; replaces the relative limit below. Default: none. `--max-latency-p99`. */
  maxLatencyP99Ms: number | undefined;
  /** The new color's p99 may be at most latencyFactor x the old color's p99 + latencyMarginMs. Default 2. */
  latencyFactor: number;
  /** Default 100 ms: keeps a fast old color (p99 of 3 ms) from failing a new one over a few ms. */
  latencyMarginMs: number;
  /** Probes of the new color needed before its error rate (and answered probes before its latency) is judged. Default 10. */
  minProbes: number;
  /**
   * Passive health-check failures of the new color's upstreams that Caddy may
   * count in one step. Default 0: each one is a request of real traffic (or a
   * probe) that the new color failed. Caddy counts them only when the handler
   * has passive health checks (`fail_duration` > 0).
   */
  maxCaddyFails: number;
}

export const DEFAULT_CANARY_THRESHOLDS: Readonly<CanaryThresholds> = Object.freeze({
  maxErrorRate: 0.01,
  maxLatencyP99Ms: undefined,
  latencyFactor: 2,
  latencyMarginMs: 100,
  minProbes: 10,
  maxCaddyFails: 0,
});

/**
 * `--max-error-rate`: a percentage (`1%`, `0.5%`) or a fraction (`0.01`), at
 * most 100 % (or 1). Returns the fraction. A bare number above 1 is refused:
 * `5` could mean 5 % or 500 %, and guessing would be worse than asking.
 */
export function parseMaxErrorRate(text: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text.trim());
  const fraction = match === null ? Number.NaN : match[2] === '%' ? Number(match[1]) / 100 : Number(match[1]);
  if (!Number.isFinite(fraction) || fraction > 1) {
    throw new UsageError(`--max-error-rate ${text} is not an error rate: write a percentage like 1% or a fraction like 0.01 (at most 100% or 1)`);
  }
  return fraction;
}

/** `--max-latency-p99`: a duration (`500ms`, `2s`, `1.5s`) or a plain number of milliseconds (`500`). Returns ms, more than 0. */
export function parseMaxLatencyP99(text: string): number {
  const input = text.trim();
  const ms = /^(\d+(?:\.\d+)?|\.\d+)$/.test(input) ? Number(input) : parseDuration(input);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`--max-latency-p99 ${text} is not a latency: write a duration like 500ms or 2s, or a number of milliseconds like 500`);
  }
  return ms;
}

/** Both colors over the same interval. */
export interface CanaryFigures {
  old: ColorFigures;
  new: ColorFigures;
  /**
   * Caddy's passive health-check `fails`, summed over the new color's dials
   * (the highest sum seen in the interval: Caddy forgets each failure after
   * `fail_duration`). Always 0 without passive health checks; reset by every
   * reload, so after a canary step's reload it counts that step only.
   * Undefined when it was not read.
   */
  caddyFails?: number | undefined;
}

export interface CanaryColors {
  old: Color;
  new: Color;
}

/**
 * `ok: true` means nothing is wrong so far; `pending` then says what has not
 * been judged yet for lack of probes (a step that ends pending has not shown
 * that the new color works).
 */
export type CanaryVerdict = { ok: true; pending?: string } | { ok: false; reason: string };

/**
 * Judges the new color of a canary against the thresholds and against the old
 * color over the same interval. Checked in this order, the first failure wins:
 * error rate (above --max-error-rate and significantly above the old
 * color's over the same interval), absolute p99, p99 relative to the old color, Caddy's fails. Rates
 * wait for `minProbes`; Caddy's fails are judged at once.
 */
export function judgeCanary(figures: CanaryFigures, thresholds: Partial<CanaryThresholds>, colors: CanaryColors): CanaryVerdict {
  const limits = { ...DEFAULT_CANARY_THRESHOLDS, ...definedOnly(thresholds) };
  const fresh = figures.new;
  const old = figures.old;

  const rateReady = fresh.probes >= limits.minProbes;
  if (rateReady && fresh.errorRate > limits.maxErrorRate && worseThanOld(fresh, old, limits.minProbes)) {
    return {
      ok: false,
      reason:
        `${colors.new} error rate ${formatPercent(fresh.errorRate)} (${fresh.errors} of ${fresh.probes} probes) ` +
        `is above --max-error-rate ${formatPercent(limits.maxErrorRate)} (${colors.old}: ${formatPercent(old.errorRate)})`,
    };
  }

  // During the latency warm-up the answered probes count for the error rate only (latencySamples says how many are timed).
  const answered = fresh.latencySamples ?? fresh.probes - fresh.errors;
  const latencyReady = answered >= limits.minProbes;
  if (latencyReady) {
    const oldAnswered = old.latencySamples ?? old.probes - old.errors;
    const oldP99 = oldAnswered > 0 ? formatDuration(old.p99Ms) : 'no answered probes';
    if (limits.maxLatencyP99Ms !== undefined && fresh.p99Ms > limits.maxLatencyP99Ms) {
      return {
        ok: false,
        reason:
          `${colors.new} p99 latency ${formatDuration(fresh.p99Ms)} (${answered} answered probes) ` +
          `is above --max-latency-p99 ${formatDuration(limits.maxLatencyP99Ms)} (${colors.old}: ${oldP99})`,
      };
    }
    // The old color is the yardstick only when it has enough answers of its own, and only
    // without --max-latency-p99: an absolute limit replaces the relative one (a busy host
    // slows the new color's first requests, which the user may choose to tolerate).
    const allowed = old.p99Ms * limits.latencyFactor + limits.latencyMarginMs;
    if (limits.maxLatencyP99Ms === undefined && oldAnswered >= limits.minProbes && fresh.p99Ms > allowed) {
      return {
        ok: false,
        reason:
          `${colors.new} p99 latency ${formatDuration(fresh.p99Ms)} is above ${limits.latencyFactor} x ${colors.old}'s ${formatDuration(old.p99Ms)} ` +
          `+ ${formatDuration(limits.latencyMarginMs)} = ${formatDuration(allowed)} (p50: ${colors.new} ${formatDuration(fresh.p50Ms)}, ${colors.old} ${formatDuration(old.p50Ms)})`,
      };
    }
  }

  if (figures.caddyFails !== undefined && figures.caddyFails > limits.maxCaddyFails) {
    const fails = `${figures.caddyFails} failure${figures.caddyFails === 1 ? '' : 's'}`;
    return {
      ok: false,
      reason: `Caddy counted ${fails} of ${colors.new}'s upstreams in this step (passive health checks), more than the ${limits.maxCaddyFails} allowed`,
    };
  }

  if (!rateReady) return { ok: true, pending: `${colors.new} has ${fresh.probes} of the ${limits.minProbes} probes needed for a verdict` };
  // A step inside the warm-up is judged on errors alone: its latency is not pending, it is not judged yet.
  if (!latencyReady && fresh.latencySamples === undefined) {
    return { ok: true, pending: `${colors.new} has ${answered} of the ${limits.minProbes} answered probes needed to judge its latency` };
  }
  return { ok: true };
}

/**
 * How sure the probes must be that the new color fails more often than the
 * old before its error rate aborts the canary (a one-sided exact test).
 */
export const PROBE_ERROR_ALPHA = 0.05;

/**
 * The new color's probe errors are more than the old color's background: the
 * probes of both colors hit the same URL, so an app that fails 2 % of
 * requests in both colors is no reason to abort (1 failed probe of 21 is
 * 4.8 %, above a 1 % ceiling). An old color with too few probes of its own
 * is no yardstick: then the ceiling alone decides.
 */
function worseThanOld(fresh: ColorFigures, old: ColorFigures, minProbes: number): boolean {
  if (old.probes < minProbes) return true;
  return oneSidedProportionTest(fresh.errors, fresh.probes, old.errors, old.probes).pValue < PROBE_ERROR_ALPHA;
}

/** Drops keys set to undefined, so `{ maxErrorRate: undefined }` keeps the default. `maxLatencyP99Ms` defaults to undefined anyway. */
function definedOnly(thresholds: Partial<CanaryThresholds>): Partial<CanaryThresholds> {
  return Object.fromEntries(Object.entries(thresholds).filter(([, value]) => value !== undefined)) as Partial<CanaryThresholds>;
}
