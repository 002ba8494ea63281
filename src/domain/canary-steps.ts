import { UsageError } from '../errors.js';

/** The canary's weights for the new color, in order; the final 100 % flip follows the last one. */
export interface CanarySteps {
  /** Percent of traffic on the new color at each step, strictly rising, each 1 to 99. */
  weights: number[];
  /** Indexes (into `weights`) after which the canary waits for `promote` or `abort`. */
  pauseAfter: number[];
}

const FORM_HINT = 'write the percentages of traffic for the new color, rising, e.g. --canary 10,25,50; a step written pause waits for cutover promote (10,25,pause,50)';

/**
 * Parses `--canary 10,25,pause,50` (and `--pause`, which pauses after every
 * step). A `pause` entry pauses after the step before it.
 */
export function parseCanarySteps(spec: string, pauseEveryStep: boolean): CanarySteps {
  const weights: number[] = [];
  const pauseAfter = new Set<number>();
  for (const raw of spec.split(',').map((part) => part.trim())) {
    if (raw === 'pause') {
      if (weights.length === 0) throw new UsageError(`--canary ${spec}: pause must follow a step`, { hint: FORM_HINT });
      pauseAfter.add(weights.length - 1);
      continue;
    }
    const match = /^(\d{1,2})%?$/.exec(raw);
    const weight = match === null ? Number.NaN : Number(match[1]);
    if (!Number.isInteger(weight) || weight < 1 || weight > 99) {
      throw new UsageError(`--canary ${spec}: "${raw}" is not a percentage from 1 to 99 (100 is the final flip, which always follows)`, { hint: FORM_HINT });
    }
    const last = weights.at(-1);
    if (last !== undefined && weight <= last) throw new UsageError(`--canary ${spec}: steps must rise (${weight} after ${last})`, { hint: FORM_HINT });
    weights.push(weight);
  }
  if (weights.length === 0) throw new UsageError(`--canary ${spec}: no step given`, { hint: FORM_HINT });
  if (pauseEveryStep) for (let index = 0; index < weights.length; index++) pauseAfter.add(index);
  return { weights, pauseAfter: [...pauseAfter].sort((a, b) => a - b) };
}
