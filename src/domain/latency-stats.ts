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
