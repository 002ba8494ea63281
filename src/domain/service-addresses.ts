import { COLORS, type Color, type ColoredService } from '../config/model.js';

/** One running (or created) container of a colored service, reduced to what addressing needs. */
export interface ColorInstance {
  service: string;
  color: Color;
  /** Published ports of this container: container port → host port. */
  published: Array<{ containerPort: number; hostPort: number }>;
}

/** Every name or port under which Caddy may reach a colored service, per color. */
export interface ServiceAddresses {
  service: string;
  /** Names that reach only this color: its network aliases, then its container name. */
  hosts: Record<Color, string[]>;
  /** Host ports published on the host by this color: from the overlays and from running containers. */
  hostPorts: Record<Color, Array<{ containerPort: number; hostPort: number }>>;
  /** Names that reach whichever color holds them: the plain service name and aliases both colors share. */
  neutralHosts: string[];
  /**
   * Aliases that both colors' overlays list (`rag` on rag-blue and rag-green): other
   * services reach this one by that name, whichever color answers. A service with
   * such an alias may have no Caddy handler at all (an internal service).
   */
  sharedAliases: string[];
  /** Host ports the plain service (compose.yml alone) publishes: how Caddy on the host reaches it after `reset`. */
  plainHostPorts: Array<{ containerPort: number; hostPort: number }>;
}

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function serviceAddresses(service: ColoredService, instances: readonly ColorInstance[]): ServiceAddresses {
  const namesOf = (color: Color): string[] => {
    const spec = service.byColor[color];
    const aliases = spec.networks.flatMap((network) => network.aliases);
    return [...new Set([...aliases, ...(spec.containerName === undefined ? [] : [spec.containerName])])];
  };
  const blue = namesOf('blue');
  const green = namesOf('green');
  const shared = blue.filter((name) => green.includes(name));
  const hostPortsOf = (color: Color): Array<{ containerPort: number; hostPort: number }> => {
    const fromSpec = service.byColor[color].ports.flatMap((port) =>
      port.hostPort === undefined ? [] : [{ containerPort: port.containerPort, hostPort: port.hostPort }],
    );
    const fromContainers = instances.filter((i) => i.service === service.name && i.color === color).flatMap((i) => i.published);
    const seen = new Set<number>();
    return [...fromSpec, ...fromContainers].filter((p) => {
      if (seen.has(p.hostPort)) return false;
      seen.add(p.hostPort);
      return true;
    });
  };
  return {
    service: service.name,
    hosts: { blue: blue.filter((n) => !shared.includes(n)), green: green.filter((n) => !shared.includes(n)) },
    hostPorts: { blue: hostPortsOf('blue'), green: hostPortsOf('green') },
    neutralHosts: [...new Set([service.name, ...shared])],
    sharedAliases: shared,
    plainHostPorts: plainHostPorts(service),
  };
}

/** The fixed TCP host ports of the plain service, none published by a color (a color's port says that color). */
function plainHostPorts(service: ColoredService): Array<{ containerPort: number; hostPort: number }> {
  const colorPorts = new Set(COLORS.flatMap((color) => service.byColor[color].ports.map((p) => p.hostPort)));
  return (service.plain?.ports ?? []).flatMap((port) =>
    port.hostPort === undefined || port.protocol !== 'tcp' || colorPorts.has(port.hostPort) ? [] : [{ containerPort: port.containerPort, hostPort: port.hostPort }],
  );
}

export interface Dial {
  host: string;
  port: number;
}

/** Parses Caddy's `dial` (`host:port`, `[v6]:port`, optionally `tcp/` in front); undefined for sockets and placeholders. */
export function parseDial(dial: string): Dial | undefined {
  const withoutNetwork = dial.replace(/^(tcp|tcp4|tcp6)\//, '');
  if (withoutNetwork.includes('{') || withoutNetwork.includes('/')) return undefined;
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(withoutNetwork);
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: match[1] as string, port };
}

export type DialOwner = { kind: 'color'; color: Color } | { kind: 'neutral' } | { kind: 'foreign' };

/** Which color of this service a dial reaches, if any. */
export function classifyDial(dial: string, addresses: ServiceAddresses): DialOwner {
  const parsed = parseDial(dial);
  if (parsed === undefined) return { kind: 'foreign' };
  for (const color of COLORS) {
    if (addresses.hosts[color].includes(parsed.host)) return { kind: 'color', color };
    if (LOOPBACK_HOSTS.has(parsed.host) && addresses.hostPorts[color].some((p) => p.hostPort === parsed.port)) {
      return { kind: 'color', color };
    }
  }
  if (addresses.neutralHosts.includes(parsed.host)) return { kind: 'neutral' };
  if (LOOPBACK_HOSTS.has(parsed.host) && addresses.plainHostPorts.some((p) => p.hostPort === parsed.port)) return { kind: 'neutral' };
  return { kind: 'foreign' };
}

/** How Caddy reaches a service: by network alias (Caddy on the compose network) or by a port published on the host. */
export type ReachMode = { kind: 'network'; port: number } | { kind: 'host'; containerPort: number };

/** Derives the reach mode from the dials Caddy uses now. */
export function reachModeOf(dials: readonly string[], addresses: ServiceAddresses): ReachMode | undefined {
  for (const dial of dials) {
    const parsed = parseDial(dial);
    if (parsed === undefined) continue;
    if (LOOPBACK_HOSTS.has(parsed.host)) {
      for (const color of COLORS) {
        const published = addresses.hostPorts[color].find((p) => p.hostPort === parsed.port);
        if (published !== undefined) return { kind: 'host', containerPort: published.containerPort };
      }
      const plain = addresses.plainHostPorts.find((p) => p.hostPort === parsed.port);
      if (plain !== undefined) return { kind: 'host', containerPort: plain.containerPort };
      continue;
    }
    return { kind: 'network', port: parsed.port };
  }
  return undefined;
}

/**
 * The dials that send traffic to one color. Network mode: the color's own alias
 * (Docker's DNS spreads over replicas). Host mode: one dial per running replica.
 */
export function dialsForColor(addresses: ServiceAddresses, color: Color, mode: ReachMode, instances: readonly ColorInstance[]): string[] {
  if (mode.kind === 'network') {
    const host = addresses.hosts[color][0];
    return host === undefined ? [] : [`${host}:${mode.port}`];
  }
  return instances
    .filter((i) => i.service === addresses.service && i.color === color)
    .flatMap((i) => i.published.filter((p) => p.containerPort === mode.containerPort).map((p) => `127.0.0.1:${p.hostPort}`));
}

/**
 * The dial that reaches the plain service (compose.yml alone) the way a handler
 * reaches the colors: `platform:3210` on the compose network, the host port the
 * plain service publishes for that container port on the host (undefined: none).
 */
export function plainDialFor(addresses: ServiceAddresses, mode: ReachMode): string | undefined {
  if (mode.kind === 'network') return `${addresses.service}:${mode.port}`;
  const published = addresses.plainHostPorts.find((p) => p.containerPort === mode.containerPort);
  return published === undefined ? undefined : `127.0.0.1:${published.hostPort}`;
}
