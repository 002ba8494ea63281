import type Docker from 'dockerode';
import type { Color, Healthcheck, PortMapping, ServiceSpec } from '../../config/model.js';
import { containerLabels } from './docker-labels.js';

/**
 * Pure translation of one replica of a ServiceSpec into Docker's create
 * request. No I/O here, so every field mapping can be read (and tested) in one
 * place.
 */

export interface ContainerPlanInput {
  project: string;
  spec: ServiceSpec;
  /** undefined for a shared service. */
  color: Color | undefined;
  version: string;
  /** 1-based. */
  replica: number;
  /** Network key (as in the spec) → the network's name in Docker. */
  networks: Record<string, string>;
  /** Volume key (as in the spec) → the volume's name in Docker. */
  volumes: Record<string, string>;
  extraLabels?: Record<string, string> | undefined;
  /** Published ports; default: the spec's. Lets the caller drop fixed host ports that blue and green would both claim. */
  ports?: PortMapping[] | undefined;
}

export interface NetworkToConnect {
  network: string;
  aliases: string[];
  /** Fixed addresses on this network (ipv4_address, ipv6_address, link_local_ips). */
  ipam?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | undefined;
}

/** The endpoint settings of one network attachment, at create or at connect. */
export function endpointConfig(attachment: NetworkToConnect): Docker.EndpointSettings {
  return { Aliases: attachment.aliases, ...(attachment.ipam === undefined ? {} : { IPAMConfig: attachment.ipam }) };
}

export interface ContainerPlan {
  name: string;
  create: Docker.ContainerCreateOptions;
  /** Networks beyond the first: API 1.41 accepts only one at create, so these are connected before start. */
  connectBeforeStart: NetworkToConnect[];
}

/** spec.containerName when there is one replica, else `<project>-<service>-<color>-<n>` (`<project>-<service>-<n>` for a shared service). */
export function containerNameFor(project: string, spec: ServiceSpec, color: Color | undefined, replica: number): string {
  if (spec.replicas === 1 && spec.containerName !== undefined) return spec.containerName;
  return color === undefined ? `${project}-${spec.name}-${replica}` : `${project}-${spec.name}-${color}-${replica}`;
}

const NS_PER_MS = 1_000_000;

function toHealthConfig(healthcheck: Healthcheck | 'disabled'): Docker.HealthConfig {
  if (healthcheck === 'disabled') return { Test: ['NONE'] };
  // Docker reads 0 as "inherit the default", so unset durations are left out.
  const config: Docker.HealthConfig = { Test: healthcheck.test };
  if (healthcheck.intervalMs !== undefined) config.Interval = healthcheck.intervalMs * NS_PER_MS;
  if (healthcheck.timeoutMs !== undefined) config.Timeout = healthcheck.timeoutMs * NS_PER_MS;
  if (healthcheck.startPeriodMs !== undefined) config.StartPeriod = healthcheck.startPeriodMs * NS_PER_MS;
  if (healthcheck.retries !== undefined) config.Retries = healthcheck.retries;
  // StartInterval exists from API 1.44 (Docker 25); start-service-color.ts refuses it on older engines and creates such a container at the engine's version.
  if (healthcheck.startIntervalMs !== undefined) (config as Docker.HealthConfig & { StartInterval?: number }).StartInterval = healthcheck.startIntervalMs * NS_PER_MS;
  return config;
}

/** Compose's `restart:` string → Docker's policy (`on-failure:3` carries a retry count). */
function toRestartPolicy(restart: string): Docker.HostRestartPolicy {
  const [name = 'no', count] = restart.split(':');
  return count === undefined ? { Name: name } : { Name: name, MaximumRetryCount: Number(count) };
}

function dockerNameOf(kind: 'network' | 'volume', key: string, names: Record<string, string>, service: string): string {
  const name = names[key];
  // The caller resolves every key of the spec; a missing one is a bug, not a user error.
  if (name === undefined) throw new Error(`bug: no Docker name given for ${kind} "${key}" of service ${service}`);
  return name;
}

/** Exposed ports and their host bindings: the given ports (default: the spec's), plus `expose:` without a binding. */
function portsOf(spec: ServiceSpec, ports: PortMapping[]): { exposedPorts: Record<string, object>; portBindings: Docker.PortMap } {
  const exposedPorts: Record<string, object> = {};
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposedPorts[key] = {};
    // An empty HostPort asks Docker for an ephemeral port; an empty HostIp means all addresses.
    portBindings[key] = [...(portBindings[key] ?? []), { HostIp: port.hostIp ?? '', HostPort: port.hostPort === undefined ? '' : String(port.hostPort) }];
  }
  for (const port of spec.expose) exposedPorts[`${port}/tcp`] ??= {};
  return { exposedPorts, portBindings };
}

/** Secrets, configs and volumes: host paths as Binds, tmpfs and named or anonymous volumes as Mounts. */
function storageOf(spec: ServiceSpec, volumes: Record<string, string>): { mounts: Docker.MountSettings[]; binds: string[] } {
  const mounts: Docker.MountSettings[] = [];
  // Binds (not Mounts) for host paths: like Compose's short syntax, Docker then creates a missing host directory.
  const binds: string[] = [];
  // Secrets and configs: the managed copies (materialized before planning), read-only where Compose mounts them.
  for (const file of spec.container?.files ?? []) {
    if (file.hostPath === undefined) throw new Error(`bug: ${file.kind} ${file.name} of service ${spec.name} was not materialized before planning`);
    binds.push(`${file.hostPath}:${file.target}:ro`);
  }
  for (const volume of spec.volumes) {
    if (volume.type === 'bind') {
      if (volume.source === undefined || !volume.source.startsWith('/')) {
        throw new Error(`bug: bind mount ${volume.target} of service ${spec.name} needs an absolute host path`);
      }
      binds.push(`${volume.source}:${volume.target}${volume.readOnly ? ':ro' : ''}`);
    } else if (volume.type === 'tmpfs') {
      mounts.push({ Type: 'tmpfs', Source: '', Target: volume.target, ReadOnly: volume.readOnly });
    } else {
      // An empty source is an anonymous volume.
      const source = volume.source === undefined ? '' : dockerNameOf('volume', volume.source, volumes, spec.name);
      mounts.push({ Type: 'volume', Source: source, Target: volume.target, ReadOnly: volume.readOnly });
    }
  }
  return { mounts, binds };
}

/** One attachment per network of the spec, with Compose's aliases and any fixed addresses. */
function networkAttachments(spec: ServiceSpec, networks: Record<string, string>): NetworkToConnect[] {
  return spec.networks.map((n): NetworkToConnect => {
    const ipam = {
      ...(n.ipv4Address === undefined ? {} : { IPv4Address: n.ipv4Address }),
      ...(n.ipv6Address === undefined ? {} : { IPv6Address: n.ipv6Address }),
      ...(n.linkLocalIps === undefined ? {} : { LinkLocalIPs: n.linkLocalIps }),
    };
    // Compose's own alias first: the service's key in the compose files (model.ts, composeName).
    const aliases = spec.composeName === undefined ? n.aliases : [...new Set([spec.composeName, ...n.aliases])];
    return { network: dockerNameOf('network', n.key, networks, spec.name), aliases, ...(Object.keys(ipam).length === 0 ? {} : { ipam }) };
  });
}

/** Docker's HostConfig: the translated Compose keys first, then the fields cutover sets itself, which take precedence. */
function hostConfigOf(spec: ServiceSpec, portBindings: Docker.PortMap, storage: { mounts: Docker.MountSettings[]; binds: string[] }, first: NetworkToConnect | undefined): Docker.HostConfig {
  const hostConfig: Docker.HostConfig = { ...(spec.container?.hostConfig as Docker.HostConfig | undefined), PortBindings: portBindings, Mounts: storage.mounts, Binds: storage.binds };
  if (spec.restart !== undefined) hostConfig.RestartPolicy = toRestartPolicy(spec.restart);
  if (spec.memLimitBytes !== undefined) hostConfig.Memory = spec.memLimitBytes;
  // The new color must log where the one it replaces logged (same driver and rotation).
  // An empty Type is the daemon's default driver, with the options given.
  if (spec.logging !== undefined) hostConfig.LogConfig = { Type: spec.logging.driver ?? '', Config: spec.logging.options };
  if (first !== undefined) hostConfig.NetworkMode = first.network;
  return hostConfig;
}

export function planContainer(input: ContainerPlanInput): ContainerPlan {
  const { spec } = input;
  const name = containerNameFor(input.project, spec, input.color, input.replica);
  const { exposedPorts, portBindings } = portsOf(spec, input.ports ?? spec.ports);
  const storage = storageOf(spec, input.volumes);
  const [first, ...rest] = networkAttachments(spec, input.networks);

  const create: Docker.ContainerCreateOptions = {
    ...spec.container?.config,
    name,
    Image: spec.image,
    Env: Object.entries(spec.environment).map(([key, value]) => `${key}=${value}`),
    Labels: containerLabels(
      { project: input.project, service: spec.name, color: input.color, version: input.version, replica: input.replica },
      spec.labels,
      input.extraLabels,
    ),
    ExposedPorts: exposedPorts,
    // Docker's stop timeout is whole seconds; round up so the app never gets less than it asked for.
    StopTimeout: Math.ceil(spec.stopGracePeriodMs / 1000),
    HostConfig: hostConfigOf(spec, portBindings, storage, first),
  };
  if (spec.command !== undefined) create.Cmd = spec.command;
  if (spec.entrypoint !== undefined) create.Entrypoint = spec.entrypoint;
  if (spec.stopSignal !== undefined) create.StopSignal = spec.stopSignal;
  if (spec.healthcheck !== undefined) create.Healthcheck = toHealthConfig(spec.healthcheck);
  if (first !== undefined) create.NetworkingConfig = { EndpointsConfig: { [first.network]: endpointConfig(first) } };

  return { name, create, connectBeforeStart: rest };
}
