import type { CanaryStepShare } from './read-canary-steps.js';
import type { CanaryAbortFigures } from './read-canary-abort.js';
import type { LoadShape } from './read-samples.js';

/**
 * The canary scenario: a healthy canary (the measured share of the new
 * version at each step) and a canary of a version that starts failing during
 * step 2 (how fast it is aborted and what that cost), each under its own run
 * of the benchmark's load.
 */
export interface CanaryResult {
  /** `--canary` as the CLI would get it, e.g. `10,25,50`. */
  spec: string;
  /** `--step-interval` as the CLI would get it, e.g. `4s`. */
  stepInterval: string;
  stepIntervalMs: number;
  healthy: {
    version: string;
    /** One row per step, then the final switch to 100 %. */
    steps: CanaryStepShare[];
    /** undefined when the canary finished; else why it stopped (a false abort is a result too). */
    stoppedBy: string | undefined;
    deployMs: number;
    requests: number;
    load: LoadShape;
    /** From the start of the deploy to the end of the load. */
    failed: number;
    resets: number;
  };
  failing: {
    version: string;
    /** How long after step `failingStep` began the new version was told to fail. */
    failAfterMs: number;
    failingStep: number;
    /** undefined when the new version never got to step `failingStep` (the figures are then missing). */
    figures: CanaryAbortFigures | undefined;
    /** The deploy's error: CanaryAbortedError's message when it worked. */
    outcome: string;
    aborted: boolean;
    requests: number;
    load: LoadShape;
  };
  notes: string[];
}
