import type { Color } from '../../config/model.js';
import type { ImageIdentity, ServiceImages } from '../../state/state-schema.js';
import type { DriftEntry } from '../status-drift.js';
import type { Problem } from './problem-rules.js';
import type { TrafficWeights } from './traffic-weights.js';

/**
 * `cutover status` as data: what Docker, Caddy, the state file and the lock
 * say, put side by side. The JSON form is a contract for scripts:
 * docs/status-json.md documents every field. Bump STATUS_SCHEMA_VERSION when
 * a field changes meaning or goes away (adding a field does not bump it).
 */
export const STATUS_SCHEMA_VERSION = 4;

/** How many history entries status shows, newest first. */
export const HISTORY_SHOWN = 5;

export type TrafficReport =
  | { kind: 'color'; color: Color }
  | { kind: 'plain' }
  | { kind: 'mixed'; detail: string }
  | { kind: 'unknown'; reason: string };

export interface ContainerRow {
  name: string;
  color: Color | null;
  version: string;
  state: string;
  health: string;
  /** running, and healthy or without a healthcheck. */
  ready: boolean;
  /** What it runs: the image as the compose files named it, the image ID, the registry digest (null: none known). */
  image: ImageIdentity | null;
  /** Caddy sends this service's traffic to this container's color; null when Caddy's routing is unknown. */
  serving: boolean | null;
}

export interface DialRow {
  dial: string;
  /** The color this dial reaches, `plain` for the Compose name, null when it reaches neither. */
  color: Color | 'plain' | null;
  /** Requests in flight now (/reverse_proxy/upstreams); null when Caddy did not list it or could not be asked. */
  inFlight: number | null;
}

export interface ServiceReport {
  name: string;
  /** False for a service that has containers but is no longer in the compose files. */
  configured: boolean;
  containers: ContainerRow[];
  /** Every reverse_proxy handler that serves it (schema 3); empty when Caddy's routing is unknown. */
  handlers: HandlerReport[];
  /** Every upstream of its handlers, first seen first, each dial once. */
  dials: DialRow[];
  /** The handlers' weights when they all agree, else each target's mean over the handlers; null when Caddy's routing is unknown. */
  weights: TrafficWeights | null;
}

/** One reverse_proxy handler of a service (schema 3). */
export interface HandlerReport {
  server: string;
  id: string | null;
  /** JSON pointer from the config root, e.g. `/apps/http/servers/srv0/routes/1/handle/0`. */
  pointer: string;
  /** The container port it reaches (3000, 3210, ...). */
  port: number;
  /** Its upstreams in order (duplicates kept: they carry weight on Caddy 2.6). */
  dials: DialRow[];
  weights: TrafficWeights;
}

export interface StandbyReport {
  color: Color;
  version: string;
  /** Every colored service has its standby containers running; null when Docker could not be read. */
  running: boolean | null;
  /** ... and all of them are healthy (or have no healthcheck) and run `version`. */
  healthy: boolean | null;
  /** Why not, one line per service. */
  detail: string[];
  /** The image identities recorded for it, per service; null when none were recorded (before state v2). */
  images: ServiceImages | null;
}

export interface SharedReport {
  name: string;
  present: boolean;
  running: boolean;
  containers: Array<{ name: string; state: string }>;
}

export interface UpstreamRow {
  address: string;
  service: string | null;
  color: Color | 'plain' | null;
  inFlight: number;
  fails: number;
  /** A live handler dials it; false: only the preview routes (a draining or standby color). */
  live: boolean;
}

export interface OperationReport {
  id: string;
  kind: string;
  /** in-progress: its process holds the lock; paused: a canary waiting for promote/abort; interrupted: its process is gone. */
  status: 'in-progress' | 'paused' | 'interrupted';
  phase: string;
  phaseSince: string;
  startedAt: string;
  pid: number;
  host: string;
  fromColor: Color | null;
  toColor: Color;
  fromVersion: string | null;
  toVersion: string;
  canary: {
    steps: number[];
    stepIndex: number;
    weights: { blue: number; green: number };
    /** Waiting at this step for `cutover promote` or `cutover abort`. */
    paused: boolean;
    /** The last analysis of the new color against the old: named figures (new.errorRate, old.p99Ms, ...). */
    analysis: { at: string; figures: Record<string, number> } | null;
  } | null;
}

export type LockReport =
  | { status: 'free' }
  | { status: 'held'; command: string; pid: number; host: string; startedAt: string; liveness: 'alive' | 'dead' | 'unknown' }
  | { status: 'unreadable'; problem: string };

export interface HistoryRow {
  id: string;
  kind: string;
  version: string;
  color: Color;
  fromVersion: string | null;
  fromColor: Color | null;
  startedAt: string;
  finishedAt: string;
  outcome: string;
  reason: string | null;
  /** Per service, the images the operation started and the ones that ran before it; null when not recorded. */
  images: ServiceImages | null;
  fromImages: ServiceImages | null;
}

/** One Caddy instance (schema 4): every instance the command was given, in that order. */
export interface InstanceReport {
  address: string;
  reachable: boolean;
  /** Where this instance sends the colored services. */
  traffic: TrafficReport;
  /** cutover's preview routes are in its config; null when it could not be read. */
  previewRoutes: boolean | null;
  /** It sends traffic elsewhere than the recorded active color; null when either is unknown. */
  drift: boolean | null;
}

export interface StatusReport {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  observedAt: string;
  /** 0 all is well; else the exit code of the first problem of severity error. */
  exitCode: number;
  ok: boolean;
  project: { name: string | null; dir: string; stateFile: string; caddyAdmin: string; dockerEndpoint: string };
  /** The state file's record; null when it has none, is missing or unreadable. */
  active: { color: Color; version: string; since: string; images?: ServiceImages } | null;
  /** Where Caddy's live config sends the colored services (every instance: `mixed` when they disagree). */
  traffic: TrafficReport;
  /** Each Caddy instance (schema 4). */
  instances: InstanceReport[];
  standby: StandbyReport | null;
  services: ServiceReport[];
  shared: SharedReport[];
  upstreams: UpstreamRow[];
  preview: { header: string; colors: Color[] };
  operation: OperationReport | null;
  lock: LockReport;
  history: HistoryRow[];
  drift: DriftEntry[];
  problems: Problem[];
}
