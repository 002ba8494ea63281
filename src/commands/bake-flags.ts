import { DEFAULT_ANALYSIS_WINDOW_MS } from '../domain/parse-real-traffic-flags.js';
import { parseBake } from '../domain/parse-bake.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS } from '../domain/real-traffic-thresholds.js';
import { UsageError } from '../errors.js';
import type { BakeOptions } from '../run/bake-step.js';
import type { CanaryOptions } from '../run/canary-step.js';
import { parseLatencyWarmup, type CanaryFlags } from './canary-flags.js';

/**
 * `--bake <duration>`, checked before anything happens (one line, exit 2).
 * After a canary the bake judges with the canary's real-traffic settings;
 * after a plain switch with their defaults. Undefined without `--bake`.
 */
export function bakeOptionsFrom(flags: CanaryFlags, canary: CanaryOptions | undefined): BakeOptions | undefined {
  const durationMs = parseBake(flags.bake);
  if (durationMs === undefined) return undefined;
  if (canary !== undefined && canary.realTraffic === undefined) {
    throw new UsageError('--bake judges the real traffic Caddy logs: it cannot go with --no-real-traffic', { hint: 'drop --no-real-traffic, or --bake' });
  }
  const settings = canary?.realTraffic ?? { thresholds: { ...DEFAULT_REAL_TRAFFIC_THRESHOLDS }, windowMs: DEFAULT_ANALYSIS_WINDOW_MS, ignoreRoutes: [] };
  return { durationMs, settings, warmupMs: canary?.latencyWarmupMs ?? parseLatencyWarmup(flags.latencyWarmup) };
}
