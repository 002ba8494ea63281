import type { Color, Healthcheck, NetworkSpec, ServiceSpec } from '../config/model.js';
import type { EngineHostConfig } from '../config/container-settings.js';
import { containerLabels, LABEL } from '../adapters/docker/docker-labels.js';
import { swarmServiceName } from './swarm-service-name.js';
import { swarmIgnoredKeys, swarmUnsupportedKeys, type SwarmProblem } from './swarm-unsupported-keys.js';

/**
 * The Swarm service of one color, in the Engine API's own field names (API
 * 1.41, Docker 20.10), so the adapter sends it unchanged. Only the fields
 * cutover sets are typed.
 */
export interface SwarmServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: SwarmContainerSpec;
    Resources?: { Limits?: { NanoCPUs?: number; MemoryBytes?: number; Pids?: number }; Reservations?: { NanoCPUs?: number; MemoryBytes?: number } };
    RestartPolicy: { Condition: 'none' | 'on-failure' | 'any'; MaxAttempts?: number };
    Placement?: SwarmPlacement;
    Networks: Array<{ Target: string; Aliases?: string[] }>;
    LogDriver?: { Name: string; Options: Record<string, string> };
  };
  Mode: { Replicated: { Replicas: number } };
  /** Swarm's own rolling update never runs: a new version is a new color's service, and cutover switches. */
  UpdateConfig: { Parallelism: number; FailureAction: 'pause'; Order: 'stop-first' };
  RollbackConfig: { Parallelism: number; FailureAction: 'pause'; Order: 'stop-first' };
  /** dnsrr: no virtual IP (its IPVS balancing is what Caddy replaces); `tasks.<name>` and the name itself list the tasks. */
  EndpointSpec: { Mode: 'dnsrr' };
}

export interface SwarmContainerSpec {
  Image: string;
  Labels: Record<string, string>;
  /** Compose's `entrypoint` (Swarm calls it Command). */
  Command?: string[];
  /** Compose's `command` (Swarm calls it Args). */
  Args?: string[];
  Env: string[];
  Dir?: string;
  User?: string;
  Groups?: string[];
  Hostname?: string;
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Init?: boolean;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
  StopGracePeriod: number;
  StopSignal?: string;
  Mounts: Array<{ Type: 'volume' | 'bind' | 'tmpfs'; Source?: string; Target: string; ReadOnly: boolean; TmpfsOptions?: { SizeBytes?: number; Mode?: number } }>;
  /** `IP host` lines (Compose's extra_hosts). */
  Hosts?: string[];
  DNSConfig?: { Nameservers?: string[]; Search?: string[]; Options?: string[] };
  Sysctls?: Record<string, string>;
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
  Ulimits?: Array<{ Name: string; Soft: number; Hard: number }>;
}

/** deploy.placement, in Swarm's terms. The config loader does not keep it yet: the caller passes it. */
export interface SwarmPlacement {
  Constraints?: string[];
  Preferences?: Array<{ Spread: { SpreadDescriptor: string } }>;
  MaxReplicas?: number;
}

export interface SwarmServiceInput {
  project: string;
  spec: ServiceSpec;
  color: Color;
  version: string;
  /** Network key (as in the spec) → the overlay network's name in Docker. */
  networks: Record<string, string>;
  /** The project's networks, to check their drivers. */
  networkSpecs: Record<string, NetworkSpec>;
  /** Volume key → the volume's name in Docker. */
  volumes: Record<string, string>;
  /** deploy.placement of the service; undefined: none. */
  placement?: SwarmPlacement | undefined;
  /** e.g. the operation id (cutover.operation). */
  extraLabels?: Record<string, string> | undefined;
}

export type SwarmServiceResult = { ok: true; spec: SwarmServiceSpec; ignored: string[] } | { ok: false; problems: SwarmProblem[] };

const NS_PER_MS = 1_000_000;

function toSwarmHealthcheck(healthcheck: Healthcheck | 'disabled'): NonNullable<SwarmContainerSpec['Healthcheck']> {
  if (healthcheck === 'disabled') return { Test: ['NONE'] };
  // As for a container: Docker reads 0 as "the default", so unset durations are left out.
  const out: NonNullable<SwarmContainerSpec['Healthcheck']> = { Test: healthcheck.test };
  if (healthcheck.intervalMs !== undefined) out.Interval = healthcheck.intervalMs * NS_PER_MS;
  if (healthcheck.timeoutMs !== undefined) out.Timeout = healthcheck.timeoutMs * NS_PER_MS;
  if (healthcheck.startPeriodMs !== undefined) out.StartPeriod = healthcheck.startPeriodMs * NS_PER_MS;
  if (healthcheck.retries !== undefined) out.Retries = healthcheck.retries;
  return out;
}

/**
 * Compose's `restart:` as a Swarm restart policy. `always` and
 * `unless-stopped` both mean "bring it back" (Swarm's `any`, also its default);
 * `docker stack deploy` ignores `restart:` and reads deploy.restart_policy,
 * which the config loader already folded into `restart`.
 */
function toRestartPolicy(restart: string | undefined): SwarmServiceSpec['TaskTemplate']['RestartPolicy'] {
  if (restart === undefined || restart === 'always' || restart === 'unless-stopped') return { Condition: 'any' };
  if (restart === 'no') return { Condition: 'none' };
  const [, count] = restart.split(':');
  return count === undefined ? { Condition: 'on-failure' } : { Condition: 'on-failure', MaxAttempts: Number(count) };
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function tmpfsOptions(options: string): { SizeBytes?: number; Mode?: number } | undefined {
  const out: { SizeBytes?: number; Mode?: number } = {};
  for (const option of options.split(',').filter((o) => o !== '')) {
    const size = /^size=(\d+)([kmg]?)$/i.exec(option);
    if (size !== null) out.SizeBytes = Number(size[1]) * (SIZE_UNITS[(size[2] ?? '').toLowerCase()] ?? 1);
    const mode = /^mode=([0-7]{3,4})$/.exec(option);
    if (mode !== null) out.Mode = Number.parseInt(mode[1] as string, 8);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function dockerName(kind: string, key: string, names: Record<string, string>, service: string): string {
  const name = names[key];
  // The caller resolves every key of the spec; a missing one is a bug, not a user error.
  if (name === undefined) throw new Error(`bug: no Docker name given for ${kind} "${key}" of service ${service}`);
  return name;
}

function mountsOf(input: SwarmServiceInput, host: EngineHostConfig): SwarmContainerSpec['Mounts'] {
  const { spec } = input;
  const mounts: SwarmContainerSpec['Mounts'] = spec.volumes.map((volume) => {
    if (volume.type === 'tmpfs') return { Type: 'tmpfs', Target: volume.target, ReadOnly: volume.readOnly };
    if (volume.type === 'bind') return { Type: 'bind', Source: volume.source, Target: volume.target, ReadOnly: volume.readOnly };
    // No source: an anonymous volume, made by each task on its node.
    const source = volume.source === undefined ? undefined : dockerName('volume', volume.source, input.volumes, spec.name);
    return { Type: 'volume', ...(source === undefined ? {} : { Source: source }), Target: volume.target, ReadOnly: volume.readOnly };
  });
  for (const [target, options] of Object.entries(host.Tmpfs ?? {})) {
    const tmpfs = tmpfsOptions(options);
    mounts.push({ Type: 'tmpfs', Target: target, ReadOnly: false, ...(tmpfs === undefined ? {} : { TmpfsOptions: tmpfs }) });
  }
  return mounts;
}

/** `host:address` (Docker's ExtraHosts) as Swarm's `address host`. */
function toHostsLine(line: string): string {
  const at = line.indexOf(':');
  return `${line.slice(at + 1)} ${line.slice(0, at)}`;
}

function containerSpecOf(input: SwarmServiceInput, labels: Record<string, string>): SwarmContainerSpec {
  const { spec } = input;
  const host = spec.container?.hostConfig ?? {};
  const config = spec.container?.config ?? {};
  const container: SwarmContainerSpec = {
    Image: spec.image,
    Labels: labels,
    Env: Object.entries(spec.environment).map(([key, value]) => `${key}=${value}`),
    StopGracePeriod: spec.stopGracePeriodMs * NS_PER_MS,
    Mounts: mountsOf(input, host),
  };
  if (spec.entrypoint !== undefined) container.Command = spec.entrypoint;
  if (spec.command !== undefined) container.Args = spec.command;
  if (spec.stopSignal !== undefined) container.StopSignal = spec.stopSignal;
  if (spec.healthcheck !== undefined) container.Healthcheck = toSwarmHealthcheck(spec.healthcheck);
  if (config.WorkingDir !== undefined) container.Dir = config.WorkingDir;
  if (config.User !== undefined) container.User = config.User;
  if (config.Hostname !== undefined) container.Hostname = config.Hostname;
  if (config.Tty !== undefined) container.TTY = config.Tty;
  if (config.OpenStdin !== undefined) container.OpenStdin = config.OpenStdin;
  if (host.ReadonlyRootfs !== undefined) container.ReadOnly = host.ReadonlyRootfs;
  if (host.Init !== undefined) container.Init = host.Init;
  if (host.GroupAdd !== undefined) container.Groups = host.GroupAdd;
  if (host.ExtraHosts !== undefined) container.Hosts = host.ExtraHosts.map(toHostsLine);
  if (host.Dns !== undefined || host.DnsSearch !== undefined || host.DnsOptions !== undefined) {
    container.DNSConfig = {
      ...(host.Dns === undefined ? {} : { Nameservers: host.Dns }),
      ...(host.DnsSearch === undefined ? {} : { Search: host.DnsSearch }),
      ...(host.DnsOptions === undefined ? {} : { Options: host.DnsOptions }),
    };
  }
  if (host.Sysctls !== undefined) container.Sysctls = host.Sysctls;
  if (host.CapAdd !== undefined) container.CapabilityAdd = host.CapAdd;
  if (host.CapDrop !== undefined) container.CapabilityDrop = host.CapDrop;
  if (host.Ulimits !== undefined) container.Ulimits = host.Ulimits;
  return container;
}

function resourcesOf(spec: ServiceSpec): SwarmServiceSpec['TaskTemplate']['Resources'] {
  const host = spec.container?.hostConfig ?? {};
  const limits = {
    ...(host.NanoCpus === undefined ? {} : { NanoCPUs: host.NanoCpus }),
    ...(spec.memLimitBytes === undefined ? {} : { MemoryBytes: spec.memLimitBytes }),
    ...(host.PidsLimit === undefined ? {} : { Pids: host.PidsLimit }),
  };
  const reservations = host.MemoryReservation === undefined ? {} : { MemoryBytes: host.MemoryReservation };
  if (Object.keys(limits).length === 0 && Object.keys(reservations).length === 0) return undefined;
  return { ...(Object.keys(limits).length === 0 ? {} : { Limits: limits }), ...(Object.keys(reservations).length === 0 ? {} : { Reservations: reservations }) };
}

/**
 * The Swarm service that runs `color` of one colored service: pure, from the
 * loaded project model. Keys Swarm cannot honour are refused, all at once,
 * each with its path; keys it does without are returned in `ignored` for a
 * warning. cutover's labels go on the service (how cutover finds it) and on
 * every task's container (how status and logs find them), and always win.
 */
export function swarmServiceSpec(input: SwarmServiceInput): SwarmServiceResult {
  const { spec } = input;
  const problems = swarmUnsupportedKeys(spec, input.networkSpecs);
  if (problems.length > 0) return { ok: false, problems };
  // A task has a slot, not a replica number: the replica label says 0.
  const labels = containerLabels({ project: input.project, service: spec.name, color: input.color, version: input.version, replica: 0 }, spec.labels, input.extraLabels);
  delete labels[LABEL.replica];
  const serviceLabels = Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith('cutover.')));
  const resources = resourcesOf(spec);
  // Never used for a release (a new version is the other color's service); should someone update the service by hand, Swarm stops at a failure instead of rolling back on its own.
  const noRollingUpdate = { Parallelism: 1, FailureAction: 'pause', Order: 'stop-first' } as const;
  return {
    ok: true,
    ignored: swarmIgnoredKeys(spec),
    spec: {
      Name: swarmServiceName(input.project, spec.name, input.color),
      Labels: serviceLabels,
      TaskTemplate: {
        ContainerSpec: containerSpecOf(input, labels),
        ...(resources === undefined ? {} : { Resources: resources }),
        RestartPolicy: toRestartPolicy(spec.restart),
        ...(input.placement === undefined ? {} : { Placement: input.placement }),
        Networks: spec.networks.map((n) => ({ Target: dockerName('network', n.key, input.networks, spec.name), ...(n.aliases.length === 0 ? {} : { Aliases: n.aliases }) })),
        ...(spec.logging?.driver === undefined ? {} : { LogDriver: { Name: spec.logging.driver, Options: spec.logging.options } }),
      },
      Mode: { Replicated: { Replicas: spec.replicas } },
      UpdateConfig: noRollingUpdate,
      RollbackConfig: noRollingUpdate,
      EndpointSpec: { Mode: 'dnsrr' },
    },
  };
}
