import { parseDuration } from '../config/parse-duration.js';
import { parseCanarySteps } from '../domain/canary-steps.js';
import { DEFAULT_CANARY_THRESHOLDS, parseMaxErrorRate, parseMaxLatencyP99 } from '../domain/canary-verdict.js';
import { parseRealTrafficFlags, REAL_TRAFFIC_FLAG_NAMES, type RealTrafficFlags } from '../domain/parse-real-traffic-flags.js';
import { parseAnalysisCommand } from '../domain/parse-analysis-command.js';
import { UsageError } from '../errors.js';
import { DEFAULT_LATENCY_WARMUP_MS, type CanaryOptions } from '../run/canary-step.js';

/** The canary flags of `deploy`, as commander hands them over. */
export interface CanaryFlags extends RealTrafficFlags {
  canary?: string;
  stepInterval: string;
  pause?: boolean;
  maxErrorRate?: string;
  maxLatencyP99?: string;
  sticky?: boolean;
  keepFailed?: boolean;
  /** Accepted for scripts written for 0.1; removing the failed color is now the default. */
  removeFailed?: boolean;
  probeUrl?: string;
  probeHost?: string;
  analysisCmd?: string;
  analysisCmdTimeout?: string;
  latencyWarmup?: string;
  /** `--bake <duration>`: also allows --latency-warmup without a canary (bake-flags.ts). */
  bake?: string;
}

export const DEFAULT_STEP_INTERVAL = '60s';


/** `--latency-warmup`: a duration from 0 to 10m, or a number of milliseconds. */
export function parseLatencyWarmup(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LATENCY_WARMUP_MS;
  const input = text.trim();
  const ms = /^\d+(?:\.\d+)?$/.test(input) ? Number(input) : parseDuration(input);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > 600_000) {
    throw new UsageError(`--latency-warmup ${text}: write a duration from 0 to 10m, e.g. 10s, or a number of milliseconds`);
  }
  return ms;
}

/** Checks every canary flag before anything happens; undefined when no canary was asked for. */
export function canaryOptionsFrom(flags: CanaryFlags): CanaryOptions | undefined {
  if (flags.canary === undefined) {
    const stray = (['pause', 'maxErrorRate', 'maxLatencyP99', 'sticky', 'keepFailed', 'removeFailed', 'probeUrl', 'probeHost', 'analysisCmd', 'analysisCmdTimeout', ...(flags.bake === undefined ? (['latencyWarmup'] as const) : []), ...REAL_TRAFFIC_FLAG_NAMES] as const).filter((key) => flags[key] !== undefined);
    const named = [
      ...(flags.realTraffic === false ? ['--no-real-traffic'] : []),...stray.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`), ...(flags.stepInterval !== DEFAULT_STEP_INTERVAL ? ['--step-interval'] : [])];
    if (named.length > 0) {
      throw new UsageError(`${named.join(', ')} ${named.length === 1 ? 'applies' : 'apply'} only to a canary`, {
        hint: 'add --canary 10,25,50 (the percentages of traffic for the new version)',
      });
    }
    return undefined;
  }
  const stepIntervalMs = parseDuration(flags.stepInterval);
  if (stepIntervalMs === undefined || stepIntervalMs < 1000) {
    throw new UsageError(`--step-interval ${flags.stepInterval} is not a duration of at least 1s`, { hint: 'e.g. --step-interval 60s, 5m, 90s' });
  }
  if (flags.probeHost !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(flags.probeHost)) {
    throw new UsageError(`--probe-host ${flags.probeHost} is not a host name`, { hint: 'the site name Caddy matches, e.g. --probe-host shop.example.com' });
  }
  if (flags.probeUrl !== undefined && !/^(https?|http\+unix):\/\/[^/]+/.test(flags.probeUrl)) {
    throw new UsageError(`--probe-url ${flags.probeUrl} is not an http:// or https:// URL`, { hint: 'the URL Caddy serves, e.g. http://127.0.0.1:8080/health (http+unix://%2Fpath%2Fto%2Fhttp.sock/health for a unix socket)' });
  }
  const realTraffic = parseRealTrafficFlags(flags);
  const analysisCommand = parseAnalysisCommand(flags.analysisCmd, flags.analysisCmdTimeout);
  const latencyWarmupMs = parseLatencyWarmup(flags.latencyWarmup);
  return {
    latencyWarmupMs,
    analysisCommand,
    realTraffic,
    steps: parseCanarySteps(flags.canary, flags.pause === true),
    stepIntervalMs,
    thresholds: {
      ...DEFAULT_CANARY_THRESHOLDS,
      ...(flags.maxErrorRate === undefined ? {} : { maxErrorRate: parseMaxErrorRate(flags.maxErrorRate) }),
      ...(flags.maxLatencyP99 === undefined ? {} : { maxLatencyP99Ms: parseMaxLatencyP99(flags.maxLatencyP99) }),
    },
    sticky: flags.sticky === true,
    keepFailed: flags.keepFailed === true,
    probeUrl: flags.probeUrl,
    probeHost: flags.probeHost,
  };
}
