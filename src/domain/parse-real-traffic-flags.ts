import { parseDuration } from '../config/parse-duration.js';
import { UsageError } from '../errors.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS, type RealTrafficThresholds } from './real-traffic-thresholds.js';
import { routePattern } from './route-pattern.js';

/** The real-traffic flags of `deploy --canary`, as commander hands them over (all text). */
export interface RealTrafficFlags {
  /** `--no-real-traffic` sets it false: probes only. */
  realTraffic?: boolean;
  alpha?: string;
  minRequests?: string;
  minErrors?: string;
  minErrorRateIncrease?: string;
  latencyMinSamples?: string;
  latencyFactor?: string;
  latencyMargin?: string;
  analysisWindow?: string;
  ignoreRoute?: string[];
}

export const REAL_TRAFFIC_FLAG_NAMES = ['alpha', 'minRequests', 'minErrors', 'minErrorRateIncrease', 'latencyMinSamples', 'latencyFactor', 'latencyMargin', 'analysisWindow', 'ignoreRoute'] as const;

export interface ParsedRealTraffic {
  thresholds: RealTrafficThresholds;
  windowMs: number;
  ignoreRoutes: string[];
}

/** The sliding window of real traffic each look judges, unless --analysis-window says otherwise. */
export const DEFAULT_ANALYSIS_WINDOW_MS = 30_000;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);

function bad(flag: string, text: string, want: string): UsageError {
  return new UsageError(`--${flag} ${text}: ${want}`);
}

function number(flag: string, text: string, want: string, ok: (n: number) => boolean): number {
  const trimmed = text.trim();
  const n = /^(\d+(?:\.\d+)?|\.\d+)(e-?\d+)?$/i.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(n) || !ok(n)) throw bad(flag, text, want);
  return n;
}

function integer(flag: string, text: string, min: number): number {
  return number(flag, text, `write a whole number of at least ${min}`, (n) => Number.isInteger(n) && n >= min && n <= 1_000_000);
}

/** A rate: `1%` or `0.01`, from 0 up to (not including) 100 %. */
function rate(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text.trim());
  const fraction = match === null ? Number.NaN : match[2] === '%' ? Number(match[1]) / 100 : Number(match[1]);
  if (!Number.isFinite(fraction) || fraction >= 1) throw bad(flag, text, 'write a percentage like 1% or a fraction like 0.01, below 100%');
  return fraction;
}

function milliseconds(flag: string, text: string, min: number, max: number, want: string): number {
  const input = text.trim();
  const ms = /^\d+(?:\.\d+)?$/.test(input) ? Number(input) : parseDuration(input);
  if (ms === undefined || !Number.isFinite(ms) || ms < min || ms > max) throw bad(flag, text, want);
  return ms;
}

/**
 * `--ignore-route "GET /health"`: a method and a path written as cutover
 * writes routes (identifiers as `:id`, no query string). Anything else would
 * never match a route, so it is refused rather than silently ignoring nothing.
 */
export function parseIgnoredRoute(text: string): string {
  const match = /^([A-Za-z]+) (\/\S*)$/.exec(text.trim());
  const method = match?.[1]?.toUpperCase();
  const path = match?.[2];
  if (method === undefined || path === undefined || !METHODS.has(method)) {
    throw bad('ignore-route', JSON.stringify(text), 'write a method and a path, e.g. --ignore-route "GET /health" or "POST /users/:id"');
  }
  const route = `${method} ${path}`;
  const asLogged = routePattern(method, path.replaceAll(':id', '0'));
  if (/[?#]/.test(path) || asLogged !== route) {
    throw bad('ignore-route', JSON.stringify(text), `no request is ever counted under that route; cutover writes it ${JSON.stringify(asLogged)} (identifiers as :id, no query string)`);
  }
  return route;
}

/**
 * Checks every real-traffic flag before anything happens: a value out of
 * range is a one-line usage error (exit 2) naming the flag and what to write.
 * Undefined when `--no-real-traffic` turns the analysis of real traffic off.
 */
export function parseRealTrafficFlags(flags: RealTrafficFlags): ParsedRealTraffic | undefined {
  const d = DEFAULT_REAL_TRAFFIC_THRESHOLDS;
  const thresholds: RealTrafficThresholds = {
    alpha: flags.alpha === undefined ? d.alpha : number('alpha', flags.alpha, 'write a significance level above 0 and at most 0.5, e.g. 0.001', (n) => n > 0 && n <= 0.5),
    minRequests: flags.minRequests === undefined ? d.minRequests : integer('min-requests', flags.minRequests, 1),
    minErrors: flags.minErrors === undefined ? d.minErrors : integer('min-errors', flags.minErrors, 1),
    minErrorRateIncrease: flags.minErrorRateIncrease === undefined ? d.minErrorRateIncrease : rate('min-error-rate-increase', flags.minErrorRateIncrease),
    latencyMinSamples: flags.latencyMinSamples === undefined ? d.latencyMinSamples : integer('latency-min-samples', flags.latencyMinSamples, 10),
    latencyFactor: flags.latencyFactor === undefined ? d.latencyFactor : number('latency-factor', flags.latencyFactor, 'write a factor of at least 1 and at most 100, e.g. 1.5', (n) => n >= 1 && n <= 100),
    latencyMarginMs:
      flags.latencyMargin === undefined ? d.latencyMarginMs : milliseconds('latency-margin', flags.latencyMargin, 0, 600_000, 'write a duration from 0 to 10m, e.g. 50ms, or a number of milliseconds'),
  };
  const windowMs = flags.analysisWindow === undefined ? DEFAULT_ANALYSIS_WINDOW_MS : milliseconds('analysis-window', flags.analysisWindow, 1_000, 3_600_000, 'write a duration from 1s to 1h, e.g. 30s');
  const ignoreRoutes = (flags.ignoreRoute ?? []).flatMap((value) => value.split(',')).filter((v) => v.trim() !== '').map(parseIgnoredRoute);
  if (flags.realTraffic === false) return undefined;
  return { thresholds, windowMs, ignoreRoutes };
}
