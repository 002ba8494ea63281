/**
 * When the real traffic of the new color counts as worse than the old color's.
 * Every field has a default (DEFAULT_REAL_TRAFFIC_THRESHOLDS); docs/real-traffic-analysis.md
 * says why each default is what it is.
 */
export interface RealTrafficThresholds {
  /**
   * Significance level of each one-sided test, at each look (before the per-route
   * correction). Default 0.001: a step is judged many times over sliding windows,
   * and each look is another chance of a false abort.
   */
  alpha: number;
  /** Requests per color before a test that finds nothing may say "ok" rather than "inconclusive". Default 50. */
  minRequests: number;
  /** Errors of the new color before it can be found worse: one or two failures never abort a step. Default 3. */
  minErrors: number;
  /** The new color's error rate must exceed the old one's by at least this much (a fraction). Default 0.01. */
  minErrorRateIncrease: number;
  /** Answered requests per color before p99 latencies are compared at all. Default 100. */
  latencyMinSamples: number;
  /** The new color's p99 must exceed latencyFactor x the old color's p99 ... Default 1.5. */
  latencyFactor: number;
  /** ... and the old color's p99 + latencyMarginMs. Default 50 ms: a few ms never fail a fast service. */
  latencyMarginMs: number;
}

export const DEFAULT_REAL_TRAFFIC_THRESHOLDS: Readonly<RealTrafficThresholds> = Object.freeze({
  alpha: 0.001,
  minRequests: 50,
  minErrors: 3,
  minErrorRateIncrease: 0.01,
  latencyMinSamples: 100,
  latencyFactor: 1.5,
  latencyMarginMs: 50,
});
