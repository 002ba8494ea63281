import { COLORS, type Color, type ColoredService } from '../config/model.js';
import { ConfigInvalidError, DriftError, type CutoverError } from '../errors.js';
import type { LockStatus } from '../state/deploy-lock.js';
import type { ImageIdentity, ServiceImages, State } from '../state/state-schema.js';
import { parseImageReference } from './image-reference.js';
import { isJsonObject, PREVIEW_HEADER, previewRouteId, serversOf, type JsonValue } from './caddy-json.js';
import { readTraffic, type ServiceTraffic } from './read-traffic.js';
import { classifyDial, serviceAddresses, type ColorInstance, type ServiceAddresses } from './service-addresses.js';
import { driftCause, findDrift, type DriftEntry } from './status-drift.js';
import { hasPreviewRoutes } from './rewrite-caddy-config.js';
import { isServing } from './is-serving.js';
import { trafficWeights, type TrafficWeights } from './status-weights.js';

/**
 * `cutover status` as data: what Docker, Caddy, the state file and the lock
 * say, put side by side. Built purely from what was observed, so every part
 * that could be read is shown even when others could not; each thing that
 * could not be read, or that is wrong, is one entry in `problems`.
 *
 * The JSON form is a contract for scripts: docs/status-json.md documents every
 * field. Bump STATUS_SCHEMA_VERSION when a field changes meaning or goes away
 * (adding a field does not bump it).
 */
export const STATUS_SCHEMA_VERSION = 2;

/** How many history entries status shows, newest first. */
export const HISTORY_SHOWN = 5;

// ---------------------------------------------------------------- input

/** A failure met while observing, kept as data so the rest can still be shown. */
export interface ObservedFailure {
  message: string;
  hint: string | null;
  /** The exit code of the typed error it came from. */
  exitCode: number;
  /** The other side could not be reached at all (refused, no socket, timeout). */
  unreachable: boolean;
  /** Every problem, when there are several (an invalid configuration). */
  details: string[];
}

export type Observed<T> = { ok: true; value: T } | { ok: false; failure: ObservedFailure };

export interface ObservedContainer {
  name: string;
  service: string;
  color: Color | undefined;
  version: string;
  /** Docker's state: created, running, exited, ... */
  state: string;
  /** starting, healthy, unhealthy, or none without a healthcheck. */
  health: string;
  /** The image reference it was created from, the image ID it runs, and cutover's image labels (when it set them). */
  image?: string | undefined;
  imageId?: string | undefined;
  imageRef?: string | undefined;
  imageDigest?: string | undefined;
}

export interface ObservedShared {
  service: string;
  containers: ReadonlyArray<{ name: string; state: string }>;
}

export interface ObservedUpstream {
  address: string;
  numRequests: number;
  fails: number;
}

/** What the status needs of the project's configuration. */
export interface ObservedProject {
  projectName: string;
  colored: readonly ColoredService[];
  shared: ReadonlyArray<{ name: string }>;
}

export interface StatusInput {
  observedAt: Date;
  projectDir: string;
  /** The state file's path, as shown to the user. */
  stateFile: string;
  caddyAdmin: string;
  dockerEndpoint: string;
  project: Observed<ObservedProject>;
  /** null: there is no state file. */
  state: Observed<State | null>;
  lock: LockStatus;
  docker: Observed<{
    containers: readonly ObservedContainer[];
    /** Published ports of the colored containers, for telling which color a host-mode dial reaches. */
    instances: readonly ColorInstance[];
    /** Presence of each shared service; empty when the configuration could not be loaded. */
    shared: readonly ObservedShared[];
  }>;
  caddy: Observed<{ config: JsonValue; upstreams: Observed<readonly ObservedUpstream[]> }>;
}

// ---------------------------------------------------------------- report

export type ProblemKind =
  | 'caddy-unreachable'
  | 'caddy-error'
  | 'caddy-config'
  | 'caddy-upstreams'
  | 'docker-unreachable'
  | 'docker-error'
  | 'config-invalid'
  | 'state-invalid'
  | 'state-project'
  | 'state-missing'
  | 'drift'
  | 'drift-unchecked'
  | 'active-unhealthy'
  | 'standby-not-ready'
  | 'shared-missing'
  | 'operation-interrupted'
  | 'previews-missing'
  | 'lock-stale'
  | 'lock-unreadable';

export interface Problem {
  kind: ProblemKind;
  /** `error` decides the exit code; `warning` is worth knowing but not wrong. */
  severity: 'error' | 'warning';
  message: string;
  hint: string | null;
  /** Every problem when there are several (an invalid configuration). */
  details: string[];
  /** The exit code this problem stands for; null for warnings. */
  exitCode: number | null;
}

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
  /** The reverse_proxy handler that serves it; null when Caddy's routing is unknown. */
  handler: { server: string; id: string | null; pointer: string } | null;
  /** Upstreams of that handler, in order (duplicates kept: they carry weight on Caddy 2.6). */
  dials: DialRow[];
  weights: TrafficWeights | null;
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

export interface StatusReport {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  observedAt: string;
  /** 0 all is well; else the exit code of the first problem of severity error. */
  exitCode: number;
  ok: boolean;
  project: { name: string | null; dir: string; stateFile: string; caddyAdmin: string; dockerEndpoint: string };
  /** The state file's record; null when it has none, is missing or unreadable. */
  active: { color: Color; version: string; since: string; images?: ServiceImages } | null;
  /** Where Caddy's live config sends the colored services. */
  traffic: TrafficReport;
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

// ---------------------------------------------------------------- building

/** A container's image identity; null for one whose image ID is unknown. */
function imageOf(c: ObservedContainer): ImageIdentity | null {
  if (c.imageId === undefined || c.imageId === '') return null;
  const ref = c.imageRef ?? c.image ?? c.imageId;
  // A container created from `repo@sha256:...` names its digest even without cutover's label.
  return { ref, id: c.imageId, digest: c.imageDigest ?? parseImageReference(ref)?.digest ?? null };
}

function problemOf(kind: ProblemKind, severity: Problem['severity'], error: CutoverError, details: string[] = []): Problem {
  return { kind, severity, message: error.message, hint: error.hint ?? null, details, exitCode: severity === 'error' ? error.exitCode : null };
}

function problemFromFailure(kind: ProblemKind, failure: ObservedFailure): Problem {
  return { kind, severity: 'error', message: failure.message, hint: failure.hint, details: failure.details, exitCode: failure.exitCode };
}

function warning(kind: ProblemKind, message: string, hint: string | null = null): Problem {
  return { kind, severity: 'warning', message, hint, details: [], exitCode: null };
}


function describeContainer(c: ObservedContainer): string {
  if (c.state !== 'running') return `${c.name} is ${c.state}`;
  return `${c.name} is ${c.health === 'starting' ? 'still starting' : c.health}`;
}

/** Whether `color` of `service` can take traffic: enough ready containers, and why not. */
function readinessOf(
  service: string,
  color: Color,
  containers: readonly ObservedContainer[],
  replicas: number,
  version: string | undefined,
): { running: boolean; healthy: boolean; why: string | undefined } {
  const own = containers.filter((c) => c.service === service && c.color === color);
  const running = own.filter((c) => c.state === 'running');
  const ready = own.filter(isServing);
  const wrongVersion = version === undefined ? [] : own.filter((c) => c.version !== version);
  let why: string | undefined;
  if (own.length === 0) why = `${service} has no ${color} container`;
  else if (ready.length < replicas) {
    const bad = own.filter((c) => !isServing(c)).map(describeContainer);
    why = `${service} ${color}: ${ready.length} of ${replicas} container(s) ready${bad.length > 0 ? ` (${bad.join(', ')})` : ''}`;
  } else if (wrongVersion.length > 0) {
    why = `${service} ${color} runs ${[...new Set(wrongVersion.map((c) => c.version))].join(', ')}, not ${version}`;
  }
  return { running: own.length > 0 && running.length >= replicas, healthy: why === undefined, why };
}

function previewColors(config: JsonValue): Color[] {
  const found = new Set<Color>();
  for (const [server, spec] of Object.entries(serversOf(config))) {
    if (!isJsonObject(spec) || !Array.isArray(spec.routes)) continue;
    for (const route of spec.routes) {
      if (!isJsonObject(route)) continue;
      for (const color of COLORS) if (route['@id'] === previewRouteId(server, color)) found.add(color);
    }
  }
  return COLORS.filter((color) => found.has(color));
}

function ownerOf(dial: string, book: readonly ServiceAddresses[]): { service: string | null; color: Color | 'plain' | null } {
  for (const addresses of book) {
    const owner = classifyDial(dial, addresses);
    if (owner.kind === 'color') return { service: addresses.service, color: owner.color };
    if (owner.kind === 'neutral') return { service: addresses.service, color: 'plain' };
  }
  return { service: null, color: null };
}

function lockReport(lock: LockStatus): LockReport {
  if (lock.kind === 'free') return { status: 'free' };
  if (lock.kind === 'unreadable') return { status: 'unreadable', problem: lock.problem };
  return { status: 'held', ...lock.holder, liveness: lock.liveness };
}

function operationReport(state: State | null, lock: LockStatus): OperationReport | null {
  const op = state?.operation ?? null;
  if (op === null) return null;
  const heldByIt = lock.kind === 'held' && lock.holder.pid === op.pid && lock.holder.host === op.host && lock.liveness !== 'dead';
  const status = op.phase === 'paused' || op.canary?.paused === true ? 'paused' : heldByIt ? 'in-progress' : 'interrupted';
  return {
    id: op.id,
    kind: op.kind,
    status,
    phase: op.phase,
    phaseSince: op.phaseStartedAt,
    startedAt: op.startedAt,
    pid: op.pid,
    host: op.host,
    fromColor: op.fromColor,
    toColor: op.toColor,
    fromVersion: op.fromVersion,
    toVersion: op.toVersion,
    canary:
      op.canary === undefined
        ? null
        : {
            steps: [...op.canary.steps],
            stepIndex: op.canary.stepIndex,
            weights: { ...op.canary.weights },
            paused: op.canary.paused,
            analysis: op.canary.analysis === undefined ? null : { at: op.canary.analysis.at, figures: { ...op.canary.analysis.figures } },
          },
  };
}

/** Builds the status report from what was observed. Pure: no I/O, the time comes in `input`. */
export function buildStatusReport(input: StatusInput): StatusReport {
  const problems: Problem[] = [];
  const project = input.project.ok ? input.project.value : undefined;
  const state = input.state.ok ? input.state.value : null;
  const docker = input.docker.ok ? input.docker.value : undefined;
  const caddy = input.caddy.ok ? input.caddy.value : undefined;
  const upstreamCounts = caddy?.upstreams.ok === true ? caddy.upstreams.value : undefined;

  // What could not be read at all, most fundamental first: it decides the exit code.
  if (!input.caddy.ok) problems.push(problemFromFailure(input.caddy.failure.unreachable ? 'caddy-unreachable' : 'caddy-error', input.caddy.failure));
  if (!input.docker.ok) problems.push(problemFromFailure(input.docker.failure.unreachable ? 'docker-unreachable' : 'docker-error', input.docker.failure));
  if (!input.project.ok) problems.push(problemFromFailure('config-invalid', input.project.failure));
  if (!input.state.ok) problems.push(problemFromFailure('state-invalid', input.state.failure));
  if (caddy !== undefined && !caddy.upstreams.ok) {
    problems.push(warning('caddy-upstreams', `in-flight counts are unknown: ${caddy.upstreams.failure.message}`, caddy.upstreams.failure.hint));
  }
  if (state !== null && project !== undefined && state.project !== project.projectName) {
    problems.push(
      warning('state-project', `${input.stateFile} belongs to project "${state.project}", but this is project "${project.projectName}"`, 'was the state file copied from another project? move it aside if so'),
    );
  }

  // Where Caddy sends traffic.
  const instances = docker?.instances ?? [];
  const addressBook = (project?.colored ?? []).map((service) => serviceAddresses(service, instances));
  let trafficServices: ServiceTraffic[] = [];
  let traffic: TrafficReport;
  if (caddy === undefined) traffic = { kind: 'unknown', reason: "Caddy's admin API could not be read" };
  else if (project === undefined) traffic = { kind: 'unknown', reason: 'the project configuration could not be loaded' };
  else {
    const read = readTraffic(caddy.config, project.colored, instances);
    if (read.ok) {
      trafficServices = read.view.services;
      traffic = read.view.live;
    } else {
      traffic = { kind: 'unknown', reason: 'cutover cannot tell from Caddy\'s config which handler serves each service' };
      const error = new ConfigInvalidError(
        read.problems.map((message) => ({ file: `Caddy config (${input.caddyAdmin})`, path: '', message })),
        { hint: "give each colored service one reverse_proxy handler whose upstreams name it (e.g. platform-blue:3000, or 127.0.0.1:<published port>)" },
      );
      if (docker === undefined) {
        problems.push(warning('caddy-config', `${error.message} (Docker could not be read, so the containers' published ports are unknown)`, error.hint ?? null));
      } else {
        problems.push(problemOf('caddy-config', 'error', error, read.problems));
      }
    }
  }
  const trafficKnown = traffic.kind !== 'unknown';

  // Which colors each service's traffic reaches: from Caddy, else from the state file's record.
  const servingColors = (service: string): Color[] | undefined => {
    if (trafficKnown) return trafficServices.find((t) => t.service === service)?.colors ?? [];
    const recorded = state?.active ?? null;
    return recorded === null ? undefined : [recorded.color];
  };

  // Services: configured ones first, in config order, then leftovers found in Docker.
  const containers = docker?.containers ?? [];
  const sharedNames = new Set((project?.shared ?? []).map((s) => s.name));
  const configured = (project?.colored ?? []).map((s) => s.name);
  const leftovers = [...new Set(containers.filter((c) => c.color !== undefined && !sharedNames.has(c.service) && !configured.includes(c.service)).map((c) => c.service))].sort();
  const countsByAddress = new Map((upstreamCounts ?? []).map((row) => [row.address, row]));
  const services: ServiceReport[] = [...configured, ...leftovers].map((name) => {
    const entry = trafficServices.find((t) => t.service === name);
    const serving = servingColors(name);
    const colorsServed = trafficKnown ? (serving ?? []) : undefined;
    const rows: ContainerRow[] = containers
      .filter((c) => c.service === name && !sharedNames.has(c.service))
      .map((c) => ({
        name: c.name,
        color: c.color ?? null,
        version: c.version,
        state: c.state,
        health: c.health,
        ready: isServing(c),
        image: imageOf(c),
        // A plain container (started by reset) serves when Caddy uses the plain services.
        serving: colorsServed === undefined ? null : c.color === undefined ? traffic.kind === 'plain' : colorsServed.includes(c.color),
      }));
    const handler = entry?.entry.handler;
    return {
      name,
      configured: configured.includes(name),
      containers: rows,
      handler: handler === undefined ? null : { server: handler.server, id: handler.id ?? null, pointer: `/${handler.pointer.join('/')}` },
      dials: (handler?.dials ?? []).map((dial) => {
        const owner = entry === undefined ? undefined : classifyDial(dial, entry.addresses);
        return {
          dial,
          color: owner === undefined ? null : owner.kind === 'color' ? owner.color : owner.kind === 'neutral' ? 'plain' : null,
          inFlight: countsByAddress.get(dial)?.numRequests ?? null,
        };
      }),
      weights: entry === undefined ? null : trafficWeights(entry.entry.handler, entry.addresses),
    };
  });

  // The colors that take traffic must be able to serve it.
  if (docker !== undefined && project !== undefined) {
    const fromState = !trafficKnown;
    for (const service of project.colored) {
      for (const color of servingColors(service.name) ?? []) {
        const readiness = readinessOf(service.name, color, containers, service.byColor[color].replicas, undefined);
        if (readiness.why === undefined) continue;
        const who = fromState ? `the state file says ${color} is active` : `Caddy sends ${service.name}'s traffic to ${color}`;
        problems.push(
          problemOf(
            'active-unhealthy',
            'error',
            new DriftError(`${readiness.why}, but ${who}`, {
              hint: 'requests to it fail or wait: roll back (cutover rollback) or redeploy; docker logs shows why a container is unhealthy',
            }),
          ),
        );
      }
    }
  }

  // The standby: what rollback would switch back to.
  let standby: StandbyReport | null = null;
  if (state?.standby !== null && state?.standby !== undefined) {
    const { color, version } = state.standby;
    const images = state.standby.images ?? null;
    if (docker === undefined || project === undefined) {
      standby = { color, version, running: null, healthy: null, detail: [], images };
    } else {
      const per = project.colored.map((s) => readinessOf(s.name, color, containers, s.byColor[color].replicas, version));
      const detail = per.flatMap((r) => (r.why === undefined ? [] : [r.why]));
      standby = { color, version, running: per.every((r) => r.running), healthy: per.every((r) => r.healthy), detail, images };
      if (detail.length > 0) {
        problems.push(
          warning('standby-not-ready', `standby ${color} (${version}) is not ready: ${detail.join('; ')}`, `cutover rollback would have to start ${version} first`),
        );
      }
    }
  }

  // Shared services: present or not, never managed by a deploy.
  const shared: SharedReport[] = (docker?.shared ?? []).map((s) => ({
    name: s.service,
    present: s.containers.length > 0,
    running: s.containers.some((c) => c.state === 'running'),
    containers: s.containers.map((c) => ({ name: c.name, state: c.state })),
  }));
  for (const s of shared) {
    if (!s.running) {
      problems.push(
        warning('shared-missing', `shared service ${s.name} ${s.present ? `is not running (${s.containers.map((c) => `${c.name} ${c.state}`).join(', ')})` : 'has no container'}`, `start it (docker compose up -d ${s.name}); the next deploy starts it when it has no container`),
      );
    }
  }

  // Every in-flight row Caddy keeps, attributed to a service and color where possible.
  const liveDials = new Set(trafficServices.flatMap((t) => t.entry.handler.dials));
  const upstreams: UpstreamRow[] = (upstreamCounts ?? [])
    .map((row) => ({ address: row.address, ...ownerOf(row.address, addressBook), inFlight: row.numRequests, fails: row.fails, live: liveDials.has(row.address) }))
    .sort((a, b) => (a.service ?? '~').localeCompare(b.service ?? '~') || (a.color ?? '~').localeCompare(b.color ?? '~') || a.address.localeCompare(b.address));

  // The operation in progress or interrupted, and the lock.
  const operation = operationReport(state, input.lock);
  const lock = lockReport(input.lock);
  if (operation?.status === 'interrupted') {
    problems.push(
      problemOf(
        'operation-interrupted',
        'error',
        new DriftError(
          `an interrupted ${operation.kind} to ${operation.toVersion} (${operation.toColor}) is recorded: its process (pid ${operation.pid} on ${operation.host}) died in phase ${operation.phase} (entered ${operation.phaseSince})`,
          {
            hint: `run cutover reconcile to settle it: finished when Caddy already sends everything to ${operation.toColor}, otherwise undone (every other cutover command does that first by itself)`,
          },
        ),
      ),
    );
  }
  if (lock.status === 'held' && lock.liveness === 'dead') {
    problems.push(warning('lock-stale', `the lock is held by ${lock.command}, pid ${lock.pid}, which is gone`, 'the next cutover command takes it over'));
  }
  if (lock.status === 'unreadable') {
    problems.push(warning('lock-unreadable', `the lock file exists but is unreadable (${lock.problem})`, 'if no cutover is running, remove it'));
  }

  // Drift between Caddy and the state file.
  let drift: DriftEntry[] = [];
  const recordedActive = state?.active ?? null;
  if (traffic.kind !== 'unknown' && input.state.ok) {
    const found = findDrift({
      active: recordedActive,
      canaryRecorded: state?.operation?.canary !== undefined,
      live: traffic,
      services: trafficServices.map((t) => ({ service: t.service, dials: t.entry.handler.dials })),
      targets: state?.targets ?? {},
      caddyAdmin: input.caddyAdmin,
    });
    drift = found.entries;
    const transient = operation?.status === 'in-progress';
    const interrupted = operation?.status === 'interrupted';
    const cause = caddy === undefined ? 'outside-change' : driftCause(hasPreviewRoutes(caddy.config));
    for (const entry of drift) {
      if (transient || interrupted) {
        const why = transient ? `a ${operation?.kind} (pid ${operation?.pid}) is in progress` : `the interrupted ${operation?.kind} above explains it`;
        problems.push(warning('drift', `${entry.message} (${why})`, transient ? 'look again when it has finished' : 'cutover reconcile settles it'));
        continue;
      }
      const error = new DriftError(
        cause === 'caddy-reloaded' ? `${entry.message}: Caddy went back to its own config (a restart or caddy reload drops cutover's switches)` : `${entry.message}: Caddy's config was changed outside cutover`,
        {
          hint:
            cause === 'caddy-reloaded'
              ? 'run cutover reconcile to put the recorded color back (deploy, rollback, cleanup and reset do it first by themselves); docs/caddy-restarts.md shows how to make restarts keep it'
              : 'run cutover reconcile to point Caddy back at the recorded targets, or move the state file aside to let cutover adopt what Caddy does',
        },
      );
      problems.push(problemOf('drift', 'error', error));
    }
    for (const other of found.otherCaddy) {
      problems.push(warning('drift-unchecked', `${other.service}: its targets were recorded for Caddy at ${other.caddyAdmin}, not ${input.caddyAdmin}; not compared`, 'pass the same --caddy-admin as the deploy did'));
    }
    if (recordedActive !== null && drift.length === 0 && caddy !== undefined && !hasPreviewRoutes(caddy.config) && operation === null) {
      problems.push(
        warning(
          'previews-missing',
          `Caddy reloaded its own config (a restart or caddy reload): traffic is on ${recordedActive.color} as recorded, but cutover's preview routes (Cutover-Color) are gone`,
          'cutover reconcile puts them back (the next switch does too); until then the old color drains without visible in-flight counts on Caddy before 2.11.2',
        ),
      );
    }
    if (recordedActive === null && traffic.kind === 'color') {
      problems.push(
        warning('state-missing', `Caddy sends every service to ${traffic.color}, but no active color is recorded in ${input.stateFile}`, 'the next deploy adopts what Caddy does'),
      );
    }
  } else if (traffic.kind === 'unknown' && recordedActive !== null) {
    problems.push(warning('drift-unchecked', `drift was not checked: ${traffic.reason}`));
  }

  const history: HistoryRow[] = (state?.history ?? [])
    .slice(-HISTORY_SHOWN)
    .reverse()
    .map((h) => ({
      id: h.id,
      kind: h.kind,
      version: h.version,
      color: h.color,
      fromVersion: h.fromVersion,
      fromColor: h.fromColor,
      startedAt: h.startedAt,
      finishedAt: h.finishedAt,
      outcome: h.outcome,
      reason: h.reason ?? null,
      images: h.images ?? null,
      fromImages: h.fromImages ?? null,
    }));

  // Errors first (in the order found: the most fundamental decides the exit code), then warnings.
  const ordered = [...problems.filter((p) => p.severity === 'error'), ...problems.filter((p) => p.severity === 'warning')];
  const exitCode = ordered.find((p) => p.severity === 'error')?.exitCode ?? 0;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    observedAt: input.observedAt.toISOString(),
    exitCode,
    ok: exitCode === 0,
    project: {
      name: project?.projectName ?? state?.project ?? null,
      dir: input.projectDir,
      stateFile: input.stateFile,
      caddyAdmin: input.caddyAdmin,
      dockerEndpoint: input.dockerEndpoint,
    },
    active: recordedActive === null ? null : { ...recordedActive },
    traffic,
    standby,
    services,
    shared,
    upstreams,
    preview: { header: PREVIEW_HEADER, colors: caddy === undefined ? [] : previewColors(caddy.config) },
    operation,
    lock,
    history,
    drift,
    problems: ordered,
  };
}
