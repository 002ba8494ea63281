import { otherColor, type Color } from '../config/model.js';
import type { State } from '../state/state-schema.js';

/** What `cleanup --engine swarm` removes: the standby color's Swarm services, never the live color's. */
export interface SwarmCleanupPlan {
  /** The color Caddy sends traffic to: kept. */
  active: Color;
  /** Its version as recorded (unknown when the state file has none). */
  activeVersion: string;
  /** The other color's services that exist, by name, with the version their label names. */
  remove: Array<{ name: string; version: string }>;
}

export type PlanSwarmCleanupResult = { ok: true; plan: SwarmCleanupPlan } | { ok: false; message: string; hint: string };

/**
 * Pure: plans a cleanup on Swarm. Caddy (not the state file) says which color
 * is live, as for Compose; every existing cutover service of the project in
 * the other color is removed. Refused, changing nothing: an open operation in
 * the state file (its services may be the ones it is starting or draining), and
 * a Caddy that names no color or both.
 */
export function planSwarmCleanup(input: {
  live: Color | 'mixed' | undefined;
  state: Pick<State, 'operation' | 'active'> | null;
  existing: ReadonlyArray<{ name: string; color: Color; version: string | undefined }>;
}): PlanSwarmCleanupResult {
  const op = input.state?.operation ?? null;
  if (op !== null) {
    return {
      ok: false,
      message: `a ${op.kind} to ${op.toVersion} (${op.toColor}, phase ${op.phase}, pid ${op.pid} on ${op.host}) is recorded as open; nothing was removed`,
      hint: 'wait until it ends (cutover --engine swarm status shows it), then run cleanup again',
    };
  }
  if (input.live === undefined || input.live === 'mixed') {
    return {
      ok: false,
      message: input.live === undefined ? "Caddy's handlers name no color's tasks, so cutover cannot tell which services serve; nothing was removed" : "Caddy's handlers name both colors' tasks; nothing was removed",
      hint: 'cleanup runs when every service is on one color (cutover --engine swarm status shows where traffic goes)',
    };
  }
  const standby = otherColor(input.live);
  const remove = input.existing.filter((s) => s.color === standby).map((s) => ({ name: s.name, version: s.version ?? 'unknown' }));
  const activeVersion = input.state?.active?.color === input.live ? input.state.active.version : 'unknown';
  return { ok: true, plan: { active: input.live, activeVersion, remove } };
}
