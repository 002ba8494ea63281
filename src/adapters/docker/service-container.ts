import type Docker from 'dockerode';
import { COLORS, type Color } from '../../config/model.js';
import { LABEL } from './docker-labels.js';

/** Docker's health status, or `none` for a container without a healthcheck. */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy' | 'none';

export interface PublishedPort {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
}

export interface NetworkEndpoint {
  /** The network's name in Docker. */
  network: string;
  ipAddress: string;
  /** As Docker reports them; Docker adds the container's short id to the ones we gave. */
  aliases: string[];
}

/** One container cutover created, as plain data. */
export interface ServiceContainer {
  id: string;
  name: string;
  /** The image reference the container was created from (for cutover's containers: the pinned one). */
  image: string;
  /** The image ID it runs (`sha256:...`): what the container really is, whatever a tag says now. */
  imageId: string;
  /** From cutover's labels: the image as the compose files named it, and its registry digest; undefined on older containers. */
  imageRef: string | undefined;
  imageDigest: string | undefined;
  project: string;
  service: string;
  /** undefined when the label holds something that is not a color (a container not made by cutover). */
  color: Color | undefined;
  version: string;
  replica: number;
  /** The operation that created it (label), when cutover recorded one. */
  operation: string | undefined;
  /** Docker's state: created, running, paused, restarting, removing, exited, dead. */
  state: string;
  health: HealthStatus;
  /** Set once the container has stopped. */
  exitCode: number | undefined;
  ports: PublishedPort[];
  networks: NetworkEndpoint[];
}

function healthOf(info: Docker.ContainerInspectInfo): HealthStatus {
  const status = info.State.Health?.Status;
  return status === 'starting' || status === 'healthy' || status === 'unhealthy' ? status : 'none';
}

function portsOf(info: Docker.ContainerInspectInfo): PublishedPort[] {
  const ports: PublishedPort[] = [];
  const bindings = (info.NetworkSettings.Ports ?? {}) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  for (const [key, hostBindings] of Object.entries(bindings)) {
    const [port, protocol] = key.split('/');
    for (const binding of hostBindings ?? []) {
      ports.push({ containerPort: Number(port), protocol: protocol === 'udp' ? 'udp' : 'tcp', hostIp: binding.HostIp, hostPort: Number(binding.HostPort) });
    }
  }
  return ports;
}

function networksOf(info: Docker.ContainerInspectInfo): NetworkEndpoint[] {
  const networks = (info.NetworkSettings.Networks ?? {}) as Record<string, { IPAddress?: string; Aliases?: string[] | null }>;
  return Object.entries(networks).map(([network, endpoint]) => ({ network, ipAddress: endpoint.IPAddress ?? '', aliases: endpoint.Aliases ?? [] }));
}

export function toServiceContainer(info: Docker.ContainerInspectInfo): ServiceContainer {
  const labels = info.Config.Labels ?? {};
  const color = labels[LABEL.color];
  const stopped = !info.State.Running && info.State.Status !== 'created';
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    imageId: info.Image,
    imageRef: labels[LABEL.imageRef],
    imageDigest: labels[LABEL.imageDigest],
    project: labels[LABEL.project] ?? '',
    service: labels[LABEL.service] ?? '',
    color: (COLORS as readonly string[]).includes(color ?? '') ? (color as Color) : undefined,
    version: labels[LABEL.version] ?? '',
    replica: Number(labels[LABEL.replica] ?? 0),
    operation: labels[LABEL.operation],
    state: info.State.Status,
    health: healthOf(info),
    exitCode: stopped ? info.State.ExitCode : undefined,
    ports: portsOf(info),
    networks: networksOf(info),
  };
}
