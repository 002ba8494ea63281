import type { LoadSample } from '../test/rig/load-client.js';
import type { LogEvent } from './bench-logger.js';
import { countWindow } from './read-samples.js';

/** What the load saw while one canary weight was live. */
export interface CanaryStepShare {
  /** 1, 2, ... for the canary steps; undefined for the final switch to 100 %. */
  step: number | undefined;
  /** Percent of requests the new color should get. */
  weight: number;
  /** The window: requests that started in [from, to) count. */
  from: number;
  to: number;
  /** Requests in the window answered with a version (GET /version and the 2 s GET /slow; a POST /echo says no version). */
  answered: number;
  /** Of those, answered by the new version. */
  newAnswers: number;
  failed: number;
  resets: number;
}

/**
 * The measured share of the new version at each canary step, from the load's
 * samples and the deploy's log. A step's weights are live from its
 * `canary.step` event (logged once Caddy acknowledged the change and the state
 * file was written) until its `canary.analysis` event (logged when the step's
 * analysis is over, before the next change is sent): only requests that
 * started in between count, so each one met exactly that step's weights.
 * After the last step, the final switch: from its `switch.acknowledged` event
 * until `end`. A step without an analysis event (the deploy stopped in it)
 * ends at the next `switch.acknowledged` or at `end`.
 */
export function readCanarySteps(samples: readonly LoadSample[], events: (name: string) => LogEvent[], newVersion: string, end: number): CanaryStepShare[] {
  const acks = events('switch.acknowledged');
  const analyses = events('canary.analysis');
  const share = (step: number | undefined, weight: number, from: number, to: number): CanaryStepShare => {
    const answered = samples.filter((s) => s.startedAt >= from && s.startedAt < to && s.version !== undefined);
    const counts = countWindow(samples, from, to);
    return { step, weight, from, to, answered: answered.length, newAnswers: answered.filter((s) => s.version === newVersion).length, failed: counts.failed, resets: counts.resets };
  };
  const rows = events('canary.step').map((event) => {
    const step = Number(event.step);
    const to = analyses.find((a) => Number(a.step) === step)?.time ?? acks.find((a) => a.time > event.time)?.time ?? end;
    return share(step, Number(event.weight), event.time, to);
  });
  const finalSwitch = acks.find((a) => typeof a.what === 'string' && a.what.startsWith('sends every service to'));
  if (finalSwitch !== undefined) rows.push(share(undefined, 100, finalSwitch.time, end));
  return rows;
}
