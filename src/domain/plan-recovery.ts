import type { Color } from '../config/model.js';
import type { Operation, Outcome } from '../state/state-schema.js';
import type { LiveTraffic } from './read-traffic.js';

/**
 * What to do with an operation whose process died (SIGKILL, crash, reboot,
 * power loss) before it closed its record in the state file. The next command,
 * holding the lock, meets it first and settles it before its own job.
 *
 * Caddy's live config decides, because it is the truth about where traffic goes:
 * - every service on the operation's new color: the switch happened, so the
 *   operation is *finished* (drain, park or stop, record success);
 * - every service on the old color: the switch did not happen, or was undone, so
 *   the operation is *undone* (new containers removed, the parked standby back);
 * - split between colors (a canary between steps): undone, back to the old color,
 *   unless the command is `promote`, which finishes it onto the new color;
 * - anything else (Caddy restarted from its own config and points elsewhere):
 *   the phase decides. Past the verification, the new color was serving and
 *   healthy, so it is finished, with one switch to it first; before, undone,
 *   with one switch back first.
 *
 * Cleanup is an idempotent removal: it is finished by doing it again.
 *
 * A reset starts the plain services, then switches Caddy to them: Caddy on the
 * plain services means the switch happened, so it is *finished* (drain the old
 * color, remove every colored container); Caddy on the old color means it did
 * not, so it is *undone* (the plain containers it started are removed). Caddy
 * anywhere else: past the switch (`draining`, `removing`) one switch to plain,
 * then finish; before, one switch back to the old color, then undo.
 */

/** The command meeting the interrupted operation: only promote and abort change what happens to a canary. */
export type RecoveringCommand = 'promote' | 'abort' | 'other';

export interface RecoveryPlan {
  direction: 'finish' | 'undo';
  /** One switch to send first: a color, `plain` (the Compose names, before any deploy), or none when Caddy is already there. */
  switchTo: Color | 'plain' | undefined;
  outcome: Outcome;
  /** Why, in the words shown to the user and kept in the history. */
  reason: string;
}

/** Phases after which the new color has served traffic and been verified. */
const PAST_VERIFICATION = new Set(['draining', 'finishing']);

/** Phases of a reset after which Caddy had been switched to the plain services. */
const RESET_PAST_SWITCH = new Set(['draining', 'removing']);

function describeLive(live: LiveTraffic): string {
  if (live.kind === 'color') return `Caddy sends every service to ${live.color}`;
  if (live.kind === 'plain') return 'Caddy uses the plain Compose names';
  return `Caddy splits traffic (${live.detail})`;
}

export function planRecovery(operation: Operation, live: LiveTraffic, command: RecoveringCommand): RecoveryPlan {
  const where = describeLive(live);
  const interrupted = `${operation.kind} to ${operation.toVersion} interrupted in phase ${operation.phase}`;
  const back: Color | 'plain' = operation.fromColor ?? 'plain';
  const undo = (switchTo: Color | 'plain' | undefined, why: string): RecoveryPlan => ({
    direction: 'undo',
    switchTo,
    outcome: operation.canary !== undefined && command === 'abort' ? 'aborted' : 'interrupted',
    reason: `${interrupted}; ${why}: undone`,
  });
  const finish = (switchTo: Color | 'plain' | undefined, why: string): RecoveryPlan => ({
    direction: 'finish',
    switchTo,
    outcome: 'succeeded',
    reason: `${interrupted}; ${why}: finished`,
  });

  if (operation.kind === 'cleanup') return finish(undefined, 'it only removes, so it is done again');
  if (operation.kind === 'reset') {
    if (live.kind === 'plain') return finish(undefined, where);
    if (live.kind === 'color' && live.color === operation.fromColor) return undo(undefined, where);
    if (RESET_PAST_SWITCH.has(operation.phase)) return finish('plain', `${where}, but Caddy had been switched to the plain services`);
    return undo(back, `${where}, and Caddy had not been switched to the plain services`);
  }
  // A bake (deploy --bake) caught before it passed is settled like a canary between steps: back, unless promote.
  if (operation.phase === 'baking' && operation.fromColor !== null && command !== 'promote') {
    return undo(live.kind === 'color' && live.color === operation.fromColor ? undefined : operation.fromColor, `${where}, but its bake had not passed`);
  }
  if (live.kind === 'color' && live.color === operation.toColor) return finish(undefined, where);
  if (live.kind === 'color' && live.color === operation.fromColor) return undo(undefined, where);
  if (live.kind === 'plain' && operation.fromColor === null) return undo(undefined, where);
  if (live.kind === 'mixed' && operation.canary !== undefined) {
    return command === 'promote' ? finish(operation.toColor, `${where}; promote sends everything to ${operation.toColor}`) : undo(back, where);
  }
  if (PAST_VERIFICATION.has(operation.phase)) return finish(operation.toColor, `${where}, but ${operation.toColor} had been verified`);
  return undo(back, `${where}, and ${operation.toColor} had not been verified`);
}
