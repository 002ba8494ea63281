import { nearestRank } from './latency-stats.js';
import { oneSidedProportionTest, type ProportionTestName } from './one-sided-proportion-test.js';
import type { TrafficVerdict } from './compare-error-rates.js';
import type { RealTrafficThresholds } from './real-traffic-thresholds.js';

export interface P99Comparison {
  verdict: TrafficVerdict;
  newP99Ms: number | undefined;
  oldP99Ms: number | undefined;
  /** The pooled p99 of both colors: requests at or above it count as slow. */
  pooledP99Ms: number | undefined;
  pValue: number | undefined;
  test: ProportionTestName | undefined;
  alpha: number;
}

/**
 * Is the new color's tail latency worse than the old one's?
 *
 * p99s are compared only with `latencyMinSamples` answered requests per color.
 * The test: take the p99 of both colors' samples pooled, count each color's
 * requests at or above it ("at", so that a new color slower than the old on
 * every request, with ties at the top, still counts), and test that the new color's share of slow
 * requests is higher (the one-sided proportion test). If both colors have the
 * same latency distribution, a request is equally likely to be slow in either,
 * whatever the threshold drawn from the pool, so the test holds its alpha.
 * On top of significance, the new p99 must be above latencyFactor x and
 * latencyMarginMs + the old p99: a real but tiny slowdown never aborts.
 *
 * Both arrays ascending (TrafficFigures.durationsMs is).
 */
export function compareP99Latency(
  nextMs: readonly number[],
  oldMs: readonly number[],
  thresholds: Pick<RealTrafficThresholds, 'alpha' | 'latencyMinSamples' | 'latencyFactor' | 'latencyMarginMs'>,
  alpha = thresholds.alpha,
): P99Comparison {
  const newP99Ms = nearestRank(nextMs, 99);
  const oldP99Ms = nearestRank(oldMs, 99);
  if (nextMs.length < thresholds.latencyMinSamples || oldMs.length < thresholds.latencyMinSamples || newP99Ms === undefined || oldP99Ms === undefined) {
    return { verdict: 'inconclusive', newP99Ms, oldP99Ms, pooledP99Ms: undefined, pValue: undefined, test: undefined, alpha };
  }
  const pooledP99Ms = nearestRank(mergeAscending(nextMs, oldMs), 99) as number;
  const slowNew = countAtOrAbove(nextMs, pooledP99Ms);
  const slowOld = countAtOrAbove(oldMs, pooledP99Ms);
  const { pValue, test } = oneSidedProportionTest(slowNew, nextMs.length, slowOld, oldMs.length);
  const slower = newP99Ms > oldP99Ms * thresholds.latencyFactor && newP99Ms > oldP99Ms + thresholds.latencyMarginMs;
  return { verdict: pValue < alpha && slower ? 'worse' : 'ok', newP99Ms, oldP99Ms, pooledP99Ms, pValue, test, alpha };
}

function countAtOrAbove(ascending: readonly number[], threshold: number): number {
  let low = 0;
  let high = ascending.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((ascending[middle] as number) < threshold) low = middle + 1;
    else high = middle;
  }
  return ascending.length - low;
}

function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  return [...a, ...b].sort((x, y) => x - y);
}
