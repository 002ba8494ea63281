import type { Color } from '../config/model.js';
import type { ServiceTargets } from '../state/state-schema.js';
import type { LiveTraffic } from './read-traffic.js';

/**
 * Drift: Caddy's live config (the truth about where traffic goes) and the
 * state file (cutover's record of what it did) disagree.
 * - `active-color`: the state says one color is active, Caddy sends everything to the other;
 * - `plain`: the state says a color is active, Caddy uses the plain Compose names;
 * - `mixed`: Caddy splits a service or the services over colors and no canary is recorded;
 * - `targets`: the color agrees, but a service's dials are not the ones cutover recorded
 *   (a hand edit, or a container recreated on another port).
 */
export type DriftKind = 'active-color' | 'plain' | 'mixed' | 'targets';

export interface DriftEntry {
  kind: DriftKind;
  /** The one service concerned, or null when it is about all of them. */
  service: string | null;
  /** What the state file says, in words. */
  state: string;
  /** What Caddy does, in words. */
  caddy: string;
  message: string;
}

export interface DriftInput {
  /** The state file's active color; null when it records none (or there is no readable state file). */
  active: { color: Color; version: string } | null;
  /** A canary is recorded in the state file: split traffic is then intended. */
  canaryRecorded: boolean;
  live: LiveTraffic;
  /** Each located service and the dials of its live handler. */
  services: ReadonlyArray<{ service: string; dials: readonly string[] }>;
  targets: Readonly<Record<string, ServiceTargets>>;
  /** The admin address this status reads, to match against the one the targets were recorded for. */
  caddyAdmin: string;
}

export interface DriftResult {
  entries: DriftEntry[];
  /** Services whose targets were recorded for another Caddy: not compared. */
  otherCaddy: Array<{ service: string; caddyAdmin: string }>;
}

const sameDials = (a: readonly string[], b: readonly string[]): boolean => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** Compares what Caddy does with what the state file records. Pure. */
export function findDrift(input: DriftInput): DriftResult {
  const { active, live } = input;
  const entries: DriftEntry[] = [];
  const otherCaddy: DriftResult['otherCaddy'] = [];
  const recorded = active === null ? 'no active color' : `${active.color} (${active.version}) is active`;

  if (live.kind === 'mixed') {
    if (!input.canaryRecorded) {
      entries.push({
        kind: 'mixed',
        service: null,
        state: `${recorded}, no canary`,
        caddy: live.detail,
        message: `Caddy splits traffic (${live.detail}) but the state file records no canary`,
      });
    }
    return { entries, otherCaddy };
  }
  if (active === null) return { entries, otherCaddy };
  if (live.kind === 'plain') {
    entries.push({
      kind: 'plain',
      service: null,
      state: recorded,
      caddy: 'every service → its plain Compose name',
      message: `the state file says ${active.color} is active, but Caddy sends traffic to the plain Compose names`,
    });
    return { entries, otherCaddy };
  }
  if (live.color !== active.color) {
    entries.push({
      kind: 'active-color',
      service: null,
      state: recorded,
      caddy: `every service → ${live.color}`,
      message: `the state file says ${active.color} is active, but Caddy sends traffic to ${live.color}`,
    });
    return { entries, otherCaddy };
  }
  for (const { service, dials } of input.services) {
    const targets = input.targets[service];
    if (targets === undefined || targets[active.color].length === 0) continue;
    if (targets.caddyAdmin !== input.caddyAdmin) {
      otherCaddy.push({ service, caddyAdmin: targets.caddyAdmin });
      continue;
    }
    const expected = targets[active.color];
    if (!sameDials(expected, dials)) {
      entries.push({
        kind: 'targets',
        service,
        state: `${service} → ${expected.join(' ')}`,
        caddy: `${service} → ${dials.join(' ') || 'no upstreams'}`,
        message: `${service}: Caddy dials ${dials.join(' ') || 'nothing'}, but cutover pointed it at ${expected.join(' ')} (${active.color})`,
      });
    }
  }
  return { entries, otherCaddy };
}

/**
 * Why Caddy does not do what the state file records, when no operation was
 * interrupted: it loaded its own config again (a restart, `caddy reload`,
 * a container recreated), which drops cutover's preview routes with every
 * switch; or someone changed it through the admin API, which keeps them.
 */
export type DriftCause = 'caddy-reloaded' | 'outside-change';

export function driftCause(previewRoutesPresent: boolean): DriftCause {
  return previewRoutesPresent ? 'outside-change' : 'caddy-reloaded';
}

/** True when Caddy's live traffic contradicts the recorded active color (not a recorded canary's split). */
export function trafficDrifts(active: { color: Color } | null, live: LiveTraffic, canaryRecorded: boolean): boolean {
  if (active === null) return false;
  if (live.kind === 'mixed') return !canaryRecorded;
  return live.kind === 'plain' || live.color !== active.color;
}
