import { probeLatencyStats } from './latency-stats.js';

/** What the probes of one color have seen so far, kept while they run. */
export interface ProbeTally {
  /** Probes that finished (answered, failed or timed out); a probe cancelled by the caller is not counted. */
  probes: number;
  /** 5xx answers, connection failures and timeouts. */
  errors: number;
  /**
   * Probes whose first attempt met a keep-alive connection that Caddy had just
   * closed (every reload closes idle ones) and whose retry on a fresh connection
   * was answered. Not errors: no user request is lost that way.
   */
  resets: number;
  /** Latency of every probe that was not an error (2xx to 4xx), in ms; none during the canary's latency warm-up. */
  latenciesMs: number[];
  /** Answered probes during the latency warm-up: counted for the error rate, not for latency. */
  warmupAnswers?: number;
}

/** The figures of one color over one analysis interval; plain numbers, so they can be stored. */
export interface ColorFigures {
  probes: number;
  errors: number;
  resets: number;
  /** errors / probes, a fraction from 0 to 1; 0 before any probe finished. */
  errorRate: number;
  /** Latency percentiles of the probes that were not errors (the p99 tolerates two slow probes: probeLatencyStats); 0 when there are none. */
  p50Ms: number;
  p99Ms: number;
  /** Set when the warm-up left probes out of the latency: how many answered probes the percentiles are taken over. */
  latencySamples?: number;
}

export function emptyTally(): ProbeTally {
  return { probes: 0, errors: 0, resets: 0, latenciesMs: [] };
}

export function colorFigures(tally: ProbeTally): ColorFigures {
  return {
    probes: tally.probes,
    errors: tally.errors,
    resets: tally.resets,
    errorRate: tally.probes === 0 ? 0 : tally.errors / tally.probes,
    ...probeLatencyStats(tally.latenciesMs),
    ...((tally.warmupAnswers ?? 0) > 0 ? { latencySamples: tally.latenciesMs.length } : {}),
  };
}
