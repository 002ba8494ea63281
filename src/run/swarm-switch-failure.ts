import type { SwarmServices } from '../adapters/swarm/swarm-services.js';
import type { Color, ProjectConfig } from '../config/model.js';
import { RollbackFailedError, SwitchOutcomeUnknownError } from '../errors.js';
import { finishOperation } from '../state/state-transitions.js';
import type { Runtime } from './runtime.js';
import type { StateKeeper } from './state-keeper.js';
import { readSwarmLiveColor, type SwarmSwitchExtras, switchSwarmColor } from './swarm-switch.js';
import { errorText } from './error-text.js';

export interface FailedSwarmSwitch {
  swarm: SwarmServices;
  project: ProjectConfig;
  keeper: StateKeeper;
  fromColor: Color | undefined;
  toColor: Color;
  /** The new color's services this deploy created. */
  created: readonly string[];
  /** A canary ran before the switch: its last step's weights may still send the new color a share. */
  afterCanary: boolean;
  extras: SwarmSwitchExtras;
  /** What the successful switch records (the colors' services). */
  recordSucceeded: () => Promise<unknown>;
  removeCreated: () => Promise<void>;
}

/**
 * The final switch of a Swarm deploy threw. Caddy decides what that means
 * before anything is removed (docs/swarm.md, "Operations"):
 * - the outcome is unknown (SwitchOutcomeUnknownError), or Caddy cannot be
 *   read: nothing is undone on a guess; the journal keeps the operation for
 *   the next command to settle;
 * - Caddy already sends every service to the new color: the switch took effect
 *   and what failed came after it (the drain, a Ctrl-C): the deploy is
 *   recorded as done, the new services stay;
 * - otherwise, after a canary, Caddy may still hold its last step's weights,
 *   which send the new color a share: every request goes back to the old
 *   color first, and the new services are removed only once it does (if that
 *   change fails, they stay and the error says so);
 * - otherwise traffic is where it was: the new services are removed.
 * Always rethrows the switch's error (or the failed way back).
 */
export async function settleFailedSwarmSwitch(runtime: Runtime, failed: FailedSwarmSwitch, error: unknown): Promise<never> {
  if (error instanceof SwitchOutcomeUnknownError) throw error;
  const live = await readSwarmLiveColor(runtime, failed.project).catch(() => 'unreadable' as const);
  if (live === 'unreadable') throw error;
  if (live === failed.toColor) {
    await failed.recordSucceeded();
    runtime.logger.warn({ event: 'switch.done.then.failed', color: failed.toColor }, `every service is on ${failed.toColor}, recorded as live; what failed after the switch: ${errorText(error)}`);
    throw error;
  }
  if (failed.afterCanary && failed.fromColor !== undefined && live !== failed.fromColor) {
    try {
      await switchSwarmColor(runtime, failed.swarm, failed.project, failed.fromColor, failed.toColor, new AbortController().signal, failed.extras);
    } catch (backError) {
      throw new RollbackFailedError(`${errorText(error)}; then sending all traffic back to ${failed.fromColor} failed: ${errorText(backError)}`, {
        cause: error,
        hint: `the new services were kept, since Caddy may still send them requests; cutover --engine swarm status shows what Caddy names, cutover --engine swarm abort tries the way back again`,
      });
    }
    runtime.logger.info({ event: 'canary.reverted', color: failed.fromColor, newColor: failed.toColor }, `  canary reverted: every request goes to ${failed.fromColor}'s tasks again`);
  }
  await failed.removeCreated();
  await failed.keeper.update((s) => ({ ...finishOperation(s, { outcome: 'failed', reason: errorText(error) }, runtime.now()), engine: 'swarm' }));
  throw error;
}
