import { oneSidedProportionTest, type ProportionTestName } from './one-sided-proportion-test.js';
import type { RealTrafficThresholds } from './real-traffic-thresholds.js';

/**
 * - `worse`: the new color's error rate is significantly higher than the old
 *   one's (p < alpha), by at least the minimum increase, with at least the
 *   minimum errors. The exact test makes this sound at any traffic.
 * - `ok`: both colors had the minimum requests and the test found nothing.
 * - `inconclusive`: the test found nothing, but one color had fewer than the
 *   minimum requests: too little traffic to have seen a difference worth
 *   aborting for. Not a pass.
 */
export type TrafficVerdict = 'worse' | 'ok' | 'inconclusive';

export interface ErrorCounts {
  requests: number;
  errors: number;
}

export interface ErrorRateComparison {
  verdict: TrafficVerdict;
  /** Undefined when no test could run (no request in a color). */
  pValue: number | undefined;
  test: ProportionTestName | undefined;
  newRate: number | undefined;
  oldRate: number | undefined;
  /** The alpha this comparison was held to (the route correction divides it). */
  alpha: number;
}

/** The new color against the old one on the same window. `alpha` overrides thresholds.alpha (per-route correction). */
export function compareErrorRates(
  next: ErrorCounts,
  old: ErrorCounts,
  thresholds: Pick<RealTrafficThresholds, 'alpha' | 'minRequests' | 'minErrors' | 'minErrorRateIncrease'>,
  alpha = thresholds.alpha,
): ErrorRateComparison {
  const newRate = next.requests > 0 ? next.errors / next.requests : undefined;
  const oldRate = old.requests > 0 ? old.errors / old.requests : undefined;
  if (newRate === undefined || oldRate === undefined) {
    return { verdict: 'inconclusive', pValue: undefined, test: undefined, newRate, oldRate, alpha };
  }
  const { pValue, test } = oneSidedProportionTest(next.errors, next.requests, old.errors, old.requests);
  const worse = pValue < alpha && next.errors >= thresholds.minErrors && newRate - oldRate >= thresholds.minErrorRateIncrease;
  const enough = next.requests >= thresholds.minRequests && old.requests >= thresholds.minRequests;
  return { verdict: worse ? 'worse' : enough ? 'ok' : 'inconclusive', pValue, test, newRate, oldRate, alpha };
}
