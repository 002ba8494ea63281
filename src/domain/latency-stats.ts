/** p50 and p99 of a set of latencies, in milliseconds. */
export interface LatencyStats {
  p50Ms: number;
  p99Ms: number;
}

/**
 * The nearest-rank percentile of samples sorted ascending: the smallest sample
 * such that at least `percent` % of the samples are at or below it. With 10
 * samples p99 is the largest; with 100 it is the 99th. Undefined for no samples.
 */
export function nearestRank(sortedAscending: readonly number[], percent: number): number | undefined {
  if (sortedAscending.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((percent / 100) * sortedAscending.length));
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1];
}

/**
 * p50 and p99 by nearest rank. Both are 0 for no samples: figures are stored as
 * plain numbers, and a verdict never looks at latency before it has enough samples.
 */
export function latencyStats(samplesMs: readonly number[]): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50Ms: nearestRank(sorted, 50) ?? 0, p99Ms: nearestRank(sorted, 99) ?? 0 };
}

/**
 * How many of the slowest probes must be at or above a p99 before it is
 * judged: a probe p99 over a few dozen probes is otherwise the single slowest
 * one, and one slow probe is a hiccup of a busy host (a pause of the machine,
 * a reload), not a slow version.
 */
export const SLOW_PROBES_FOR_P99 = 3;

/**
 * p50 and p99 of a canary's probes: the p99 is the nearest-rank p99, but never
 * above the third-slowest probe (SLOW_PROBES_FOR_P99). From 300 probes on the
 * two are the same; below that, a p99 "above a limit" means at least three
 * probes above it.
 */
export function probeLatencyStats(samplesMs: readonly number[]): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  if (sorted.length === 0) return { p50Ms: 0, p99Ms: 0 };
  const rank = Math.min(Math.ceil(0.99 * sorted.length), Math.max(1, sorted.length - SLOW_PROBES_FOR_P99 + 1));
  return { p50Ms: nearestRank(sorted, 50) ?? 0, p99Ms: sorted[rank - 1] as number };
}
