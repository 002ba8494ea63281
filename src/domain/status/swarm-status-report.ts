import type { Color } from '../../config/model.js';
import type { LockStatus } from '../../state/deploy-lock.js';
import type { ServiceImages, State } from '../../state/state-schema.js';
import type { DriftEntry } from '../status-drift.js';
import { problem, type Problem } from './problem-rules.js';
import { HISTORY_SHOWN, type HistoryRow, STATUS_SCHEMA_VERSION, type TrafficReport } from './status-report-types.js';

/** One Caddy instance as read: the color its handlers' `tasks.` names point at, or why it could not be read. */
export type SwarmInstanceRead =
  | { address: string; live: Color | 'mixed' | undefined }
  | { address: string; failure: { kind: 'caddy-unreachable' | 'caddy-error' | 'caddy-config'; message: string; hint: string | null; exitCode: number } };

/** What `status --engine swarm` read, before any judgement: the input of buildSwarmStatusReport. */
export interface SwarmStatusInput {
  observedAt: string;
  project: { name: string; dir: string; stateFile: string; caddyAdmin: string; dockerEndpoint: string };
  state: State | null;
  instances: SwarmInstanceRead[];
  /** Each colored service's Swarm service per color that exists (has tasks, or is recorded in the state file). */
  swarmServices: Array<{ service: string; color: Color; name: string; desired: number; running: number }>;
  /** The lock as read: an open operation whose process does not hold it is interrupted. Absent: not judged (in progress). */
  lock?: LockStatus;
}

/** One color's Swarm service of a colored service. */
export interface SwarmServiceRow {
  name: string;
  color: Color;
  /** Tasks Swarm wants running (desired state running). */
  desired: number;
  /** ... and those that run (healthy, for a service with a healthcheck). */
  running: number;
  /** Caddy sends this service's traffic to this color; null when Caddy's routing is unknown. */
  serving: boolean | null;
}

/**
 * `cutover --engine swarm status --json`: the Compose report's shape
 * (status-report-types.ts, docs/status-json.md) where it applies, with
 * `engine: "swarm"`; per colored service its Swarm services instead of containers.
 */
export interface SwarmStatusReport {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  engine: 'swarm';
  observedAt: string;
  exitCode: number;
  ok: boolean;
  project: SwarmStatusInput['project'];
  /** `images`: the pinned identity of each colored service, as recorded (null: none recorded). */
  active: { color: Color; version: string; since: string; images: ServiceImages | null } | null;
  traffic: TrafficReport;
  instances: Array<{ address: string; reachable: boolean; traffic: TrafficReport; drift: boolean | null }>;
  /** `running`: every service runs, or is scaled to 0 by `--stop-old` (a rollback scales it up first); `detail` says which is not. */
  standby: { color: Color; version: string; running: boolean; stopped: boolean; detail: string[]; images: ServiceImages | null } | null;
  services: Array<{ name: string; swarmServices: SwarmServiceRow[] }>;
  operation: { id: string; kind: string; status: 'in-progress' | 'interrupted'; phase: string; startedAt: string; pid: number; host: string; fromColor: Color | null; toColor: Color; fromVersion: string | null; toVersion: string } | null;
  history: HistoryRow[];
  drift: DriftEntry[];
  problems: Problem[];
}

function trafficOf(read: SwarmInstanceRead): TrafficReport {
  if ('failure' in read) return { kind: 'unknown', reason: read.failure.message };
  if (read.live === undefined) return { kind: 'unknown', reason: "no handler dials a color's tasks. name yet (before the first deploy)" };
  if (read.live === 'mixed') return { kind: 'mixed', detail: "the handlers dial both colors' tasks. names" };
  return { kind: 'color', color: read.live };
}

/** Where every instance agrees to send traffic; mixed, naming each, when they disagree. */
function overallTraffic(instances: SwarmStatusReport['instances']): TrafficReport {
  const first = instances[0]?.traffic ?? { kind: 'unknown', reason: 'no Caddy instance given' };
  const same = instances.every((i) => JSON.stringify(i.traffic) === JSON.stringify(first));
  if (same) return first;
  return { kind: 'mixed', detail: instances.map((i) => `${i.address} → ${i.traffic.kind === 'color' ? i.traffic.color : i.traffic.kind}`).join(', ') };
}

function historyRows(state: State | null): HistoryRow[] {
  return (state?.history ?? []).slice(-HISTORY_SHOWN).reverse().map((h) => ({
    id: h.id, kind: h.kind, version: h.version, color: h.color, fromVersion: h.fromVersion, fromColor: h.fromColor,
    startedAt: h.startedAt, finishedAt: h.finishedAt, outcome: h.outcome, reason: h.reason ?? null, images: h.images ?? null, fromImages: h.fromImages ?? null,
  }));
}

function standbyOf(input: SwarmStatusInput): SwarmStatusReport['standby'] {
  const standby = input.state?.standby;
  if (standby == null) return null;
  const rows = input.swarmServices.filter((s) => s.color === standby.color);
  // Scaled to 0 (deploy --stop-old): a rollback scales it up and waits, so it is not a problem.
  const stopped = rows.length > 0 && rows.every((s) => s.desired === 0);
  const detail = stopped ? [] : rows.filter((s) => s.running === 0 || s.running < s.desired).map((s) => `${s.name}: ${s.running}/${s.desired} tasks running`);
  if (rows.length === 0) detail.push(`no Swarm service of ${standby.color} exists`);
  return { color: standby.color, version: standby.version, running: detail.length === 0, stopped, detail, images: standby.images ?? null };
}

/** The state file's active color against Caddy's (every instance read): one entry when they disagree. */
function driftOf(active: SwarmStatusReport['active'], traffic: TrafficReport, allRead: boolean): DriftEntry[] {
  if (active === null || !allRead) return [];
  if (traffic.kind === 'color' && traffic.color === active.color) return [];
  const caddy = traffic.kind === 'color' ? `sends every service to ${traffic.color}` : traffic.kind === 'mixed' ? `splits: ${traffic.detail}` : "names no color's tasks";
  return [{ kind: traffic.kind === 'color' ? 'active-color' : 'mixed', service: null, state: `${active.color} ${active.version} active`, caddy, message: `the state file records ${active.color} ${active.version} as active, Caddy ${caddy}` }];
}

/**
 * Pure: the Swarm status report from what was read. Exit code: the first
 * problem of severity error (an unreachable or unswitchable Caddy, then drift,
 * 13), else 0.
 */
export function buildSwarmStatusReport(input: SwarmStatusInput): SwarmStatusReport {
  const { state } = input;
  const active = state?.active == null ? null : { color: state.active.color, version: state.active.version, since: state.active.since, images: state.active.images ?? null };
  const instances = input.instances.map((read) => {
    const traffic = trafficOf(read);
    return { address: read.address, reachable: !('failure' in read), traffic, drift: active === null || 'failure' in read ? null : !(traffic.kind === 'color' && traffic.color === active.color) };
  });
  const traffic = overallTraffic(instances);
  const live = traffic.kind === 'color' ? traffic.color : undefined;
  const problems: Problem[] = input.instances.flatMap((read) => ('failure' in read ? [{ kind: read.failure.kind, severity: 'error' as const, message: `${read.address}: ${read.failure.message}`, hint: read.failure.hint, details: [], exitCode: read.failure.exitCode }] : []));
  const drift = driftOf(active, traffic, instances.every((i) => i.reachable));
  for (const d of drift) problems.push({ kind: 'drift', severity: 'error', message: `drift: ${d.message}`, hint: 'point Caddy back with cutover --engine swarm rollback or deploy; nothing was changed', details: [], exitCode: 13 });
  // An open operation is in progress while its process holds the lock (as for Compose); otherwise it was interrupted.
  const op = state?.operation ?? null;
  const lock = input.lock;
  const interrupted = op !== null && lock !== undefined && !(lock.kind === 'held' && lock.holder.pid === op.pid && lock.holder.host === op.host && lock.liveness !== 'dead');
  if (op !== null && interrupted) {
    problems.push(
      problem(
        'operation-interrupted',
        `an interrupted ${op.kind} to ${op.toVersion} (${op.toColor}) is recorded: its process (pid ${op.pid} on ${op.host}) died in phase ${op.phase} (entered ${op.phaseStartedAt})`,
        `run cutover --engine swarm reconcile to settle it: finished when Caddy already sends every colored service to ${op.toColor}, otherwise undone (deploy, rollback and cleanup do that first by themselves)`,
      ),
    );
  }
  const standby = standbyOf(input);
  if (standby !== null && !standby.running) problems.push({ kind: 'standby-not-ready', severity: 'warning', message: `the standby ${standby.color} ${standby.version} is not ready: ${standby.detail.join('; ')}`, hint: 'a rollback to it would be refused', details: [], exitCode: null });
  const names = [...new Set(input.swarmServices.map((s) => s.service))];
  const services = names.map((name) => ({
    name,
    swarmServices: input.swarmServices.filter((s) => s.service === name).map((s) => ({ name: s.name, color: s.color, desired: s.desired, running: s.running, serving: traffic.kind === 'unknown' ? null : s.color === live })),
  }));
  problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  const exitCode = problems.find((p) => p.severity === 'error')?.exitCode ?? 0;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION, engine: 'swarm', observedAt: input.observedAt, exitCode, ok: exitCode === 0, project: input.project, active, traffic, instances, standby, services,
    operation: op === null ? null : { id: op.id, kind: op.kind, status: interrupted ? 'interrupted' : 'in-progress', phase: op.phase, startedAt: op.startedAt, pid: op.pid, host: op.host, fromColor: op.fromColor, toColor: op.toColor, fromVersion: op.fromVersion, toVersion: op.toVersion },
    history: historyRows(state), drift, problems,
  };
}
