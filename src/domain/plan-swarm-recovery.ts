import { otherColor, type Color } from '../config/model.js';
import type { Operation } from '../state/state-schema.js';

/** One Caddy instance as read: the color its handlers' `tasks.` names point at (mixed: both; undefined: none). */
export interface SwarmInstanceColor {
  address: string;
  live: Color | 'mixed' | undefined;
  /** Its handlers dial task addresses as static upstreams: a canary step's weighted state (docs/swarm.md, "Canary"). */
  weighted?: boolean;
}

/** A Swarm service of the project as its cutover labels say. */
export interface SwarmServiceSeen {
  name: string;
  color: Color;
  /** `cutover.operation`: the operation that created it (absent on services made before the label existed). */
  operation: string | undefined;
}

export interface SwarmRecoveryPlan {
  direction: 'finish' | 'undo';
  /** The services to remove, by name: never one of the live color's. */
  remove: string[];
  /** Each color's services as the state file records them afterwards (a color with none is left out). */
  swarmServices: Partial<Record<Color, string[]>>;
  /**
   * An undone deploy killed before it removed the previous standby (its color's services, made by an
   * earlier operation, all still there): that standby is kept in the record. Otherwise it is gone.
   */
  keepStandby: boolean;
  /** Why, in the words shown to the user and kept in the history. */
  reason: string;
  /**
   * A canary caught in a weighted step: first ONE change per Caddy instance back
   * to this color's `tasks.` name (the state before the canary), then the removal.
   */
  revertTo?: Color;
}

export type PlanSwarmRecoveryResult = { ok: true; plan: SwarmRecoveryPlan } | { ok: false; message: string; hint: string };

const STATUS_HINT = 'cutover --engine swarm status shows what each Caddy instance names';

/** What every instance agrees on, or why there is no one answer. */
function agreedLive(instances: readonly SwarmInstanceColor[]): { ok: true; live: Color | undefined } | { ok: false; message: string } {
  const seen = new Set(instances.map((i) => i.live));
  if (instances.length === 0) return { ok: false, message: 'no Caddy instance was read' };
  if (seen.has('mixed')) {
    const mixed = instances.filter((i) => i.live === 'mixed').map((i) => i.address);
    return { ok: false, message: `Caddy at ${mixed.join(', ')} sends some colored services to blue's tasks and some to green's` };
  }
  if (seen.size > 1) return { ok: false, message: `the Caddy instances disagree: ${instances.map((i) => `${i.address} → ${i.live ?? 'no color'}`).join(', ')}` };
  return { ok: true, live: instances[0]?.live as Color | undefined };
}

const namesOf = (services: readonly SwarmServiceSeen[], color: Color, except: ReadonlySet<string> = new Set()) =>
  services.filter((s) => s.color === color && !except.has(s.name)).map((s) => s.name).sort();

function recorded(services: readonly SwarmServiceSeen[], removed: ReadonlySet<string>): Partial<Record<Color, string[]>> {
  const out: Partial<Record<Color, string[]>> = {};
  for (const color of ['blue', 'green'] as const) {
    const names = namesOf(services, color, removed);
    if (names.length > 0) out[color] = names;
  }
  return out;
}

/** The services an undone operation created (never the live color's), with what is recorded afterwards. */
function undo(input: { operation: Operation; services: readonly SwarmServiceSeen[]; coloredCount: number }, live: Color | undefined, reason: string, revertTo?: Color): SwarmRecoveryPlan {
  const { operation: op, services } = input;
  // Only what this operation created, and never the live color's: the standby of an earlier deploy carries another id.
  const remove = services.filter((s) => s.operation === op.id && s.color !== live).map((s) => s.name).sort();
  const removed = remove.length === 0 ? '' : ` (${remove.join(', ')} removed)`;
  const left = services.filter((s) => s.color === op.toColor && s.operation !== op.id).length;
  const keepStandby = (op.kind === 'deploy' || op.kind === 'canary') && left >= input.coloredCount;
  return { direction: 'undo', remove, swarmServices: recorded(services, new Set(remove)), reason: `${reason}: ${revertTo === undefined ? '' : `put back on ${revertTo}'s tasks. name and `}undone${removed}`, keepStandby, ...(revertTo === undefined ? {} : { revertTo }) };
}

/**
 * A canary whose Caddy (some instance) is in a weighted step: the safe answer
 * is the state before the canary, so back to the old color's `tasks.` name and
 * undone, when every other instance is weighted too or already back on the old
 * color. Undefined when no instance is weighted.
 */
function planWeighted(input: { operation: Operation; instances: readonly SwarmInstanceColor[]; services: readonly SwarmServiceSeen[]; coloredCount: number }): PlanSwarmRecoveryResult | undefined {
  const op = input.operation;
  if (!input.instances.some((i) => i.weighted === true)) return undefined;
  const what = `${op.kind} to ${op.toVersion} (${op.toColor}) interrupted in phase ${op.phase}`;
  const from = op.fromColor;
  const others = input.instances.filter((i) => i.weighted !== true);
  if (op.canary === undefined || from === null || others.some((i) => i.live !== from)) {
    const detail = input.instances.map((i) => `${i.address} → ${i.weighted === true ? 'task addresses of both colors' : (i.live ?? 'no color')}`).join(', ');
    return { ok: false, message: `cannot settle the ${what}: ${detail}; nothing was changed`, hint: `point every handler at one color's tasks. name, then run cutover --engine swarm reconcile (${STATUS_HINT})` };
  }
  return { ok: true, plan: undo(input, from, `${what}; Caddy sends traffic to task addresses of both colors (a canary step)`, from) };
}

/**
 * Pure: how to settle a Swarm operation whose process died (docs/swarm.md,
 * "Crash safety"). Caddy decides, as for Compose:
 * - a deploy or rollback with every instance on its `toColor`: the switch
 *   happened, so it is finished (the old color stays as the standby);
 * - on its `fromColor`, or on no color for a first deploy: it is undone (the
 *   services that operation created, found by their `cutover.operation`
 *   label, are removed: a rollback's only when it created a gone standby again);
 * - a cleanup on the color it kept: finished by removing the other color's services;
 * - a canary caught in a weighted step (handlers on task addresses of both
 *   colors): back to the old color's `tasks.` name first, then undone.
 * Anything else (no color after a deploy that had one, both colors, instances
 * that disagree, a cleanup whose kept color is no longer live) is refused:
 * cutover will not guess, and nothing is changed.
 */
export function planSwarmRecovery(input: {
  operation: Operation;
  instances: readonly SwarmInstanceColor[];
  services: readonly SwarmServiceSeen[];
  /** How many colored services the project has: a color with that many services of its own is whole. */
  coloredCount: number;
}): PlanSwarmRecoveryResult {
  const { operation: op, services } = input;
  const what = `${op.kind} to ${op.toVersion} (${op.toColor}) interrupted in phase ${op.phase}`;
  const weighted = planWeighted(input);
  if (weighted !== undefined) return weighted;
  const agreed = agreedLive(input.instances);
  if (!agreed.ok) return { ok: false, message: `cannot settle the ${what}: ${agreed.message}; nothing was changed`, hint: `point every handler of every Caddy instance at one color, then run cutover --engine swarm reconcile (${STATUS_HINT})` };
  const { live } = agreed;
  const where = live === undefined ? "Caddy names no color's tasks" : `Caddy sends every colored service to ${live}`;

  if (op.kind === 'cleanup') {
    if (live !== op.toColor) {
      return { ok: false, message: `cannot settle the ${what}: it kept ${op.toColor}, but ${where}; nothing was changed`, hint: `point Caddy back at ${op.toColor}, then run cutover --engine swarm reconcile (${STATUS_HINT})` };
    }
    const remove = namesOf(services, otherColor(live));
    return { ok: true, plan: { direction: 'finish', remove, swarmServices: recorded(services, new Set(remove)), reason: `${what}; ${where}: finished (${otherColor(live)}'s services removed)`, keepStandby: false } };
  }
  if (op.kind !== 'deploy' && op.kind !== 'rollback' && op.kind !== 'canary') {
    return { ok: false, message: `cannot settle the ${what}: a ${op.kind} has no Swarm path; nothing was changed`, hint: 'run cutover reconcile without --engine swarm if this project runs on Compose' };
  }
  if (live === op.toColor) {
    return { ok: true, plan: { direction: 'finish', remove: [], swarmServices: recorded(services, new Set()), reason: `${what}; ${where}: finished`, keepStandby: false } };
  }
  if (live === (op.fromColor ?? undefined)) return { ok: true, plan: undo(input, live, `${what}; ${where}`) };
  return {
    ok: false,
    message: `cannot settle the ${what}: ${where}, neither ${op.fromColor ?? 'nothing (first deploy)'} nor ${op.toColor}; nothing was changed`,
    hint: `point every handler at ${op.fromColor ?? op.toColor}'s tasks. names, then run cutover --engine swarm reconcile (${STATUS_HINT})`,
  };
}
