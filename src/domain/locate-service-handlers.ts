import { COLORS, type Color } from '../config/model.js';
import { serviceHandlerId } from './caddy-json.js';
import type { ProxyHandler } from './find-proxy-handlers.js';
import { classifyDial, type ServiceAddresses } from './service-addresses.js';

/** A colored service and the one reverse_proxy handler in Caddy that serves it. */
export interface ServiceHandler {
  service: string;
  handler: ProxyHandler;
  /** Share of upstream entries per color now (duplicates count; weights are read separately). */
  dialCount: Record<Color, number>;
  /** Dials that reach the service by a name both colors share (plain Compose mode). */
  neutralDials: number;
}

export type LocateResult = { ok: true; handlers: ServiceHandler[] } | { ok: false; problems: string[] };

function describe(handler: ProxyHandler): string {
  const where = `${handler.server} ${handler.pointer.slice(4).join('/')}`;
  return handler.id === undefined ? `${where} (${handler.dials.join(' ') || 'no upstreams'})` : `@id ${handler.id}`;
}

function lookedFor(addresses: ServiceAddresses): string {
  const names = [...addresses.hosts.blue, ...addresses.hosts.green, ...addresses.neutralHosts].map((h) => `${h}:*`);
  const ports = [...addresses.hostPorts.blue, ...addresses.hostPorts.green, ...addresses.plainHostPorts].map((p) => `127.0.0.1:${p.hostPort}`);
  return [...names, ...ports].join(', ');
}

/**
 * Finds, for every colored service, the one reverse_proxy handler that serves
 * it: by `@id: "cutover-<service>"` (JSON configs), else by its upstream dials
 * reaching the service (Caddyfile configs have no `@id`). Zero or several
 * handlers for a service, or a handler that mixes services or foreign
 * upstreams, is reported: cutover will not guess which one to switch.
 */
export function locateServiceHandlers(handlers: readonly ProxyHandler[], services: readonly ServiceAddresses[]): LocateResult {
  const problems: string[] = [];
  const located: ServiceHandler[] = [];
  for (const addresses of services) {
    const byId = handlers.filter((h) => h.id === serviceHandlerId(addresses.service));
    const candidates =
      byId.length > 0
        ? byId
        : handlers.filter((h) => h.dials.length > 0 && h.dials.some((dial) => classifyDial(dial, addresses).kind !== 'foreign'));
    if (candidates.length === 0) {
      problems.push(
        `no reverse_proxy handler in Caddy's config serves ${addresses.service}: looked for @id ${serviceHandlerId(addresses.service)} or upstreams ${lookedFor(addresses)}`,
      );
      continue;
    }
    if (candidates.length > 1) {
      problems.push(
        `${candidates.length} reverse_proxy handlers in Caddy's config serve ${addresses.service} (${candidates.map(describe).join('; ')}); cutover switches exactly one per service: give the one to switch "@id": "${serviceHandlerId(addresses.service)}" or point the others elsewhere`,
      );
      continue;
    }
    const handler = candidates[0] as ProxyHandler;
    const dialCount: Record<Color, number> = { blue: 0, green: 0 };
    let neutralDials = 0;
    const foreign: string[] = [];
    for (const dial of handler.dials) {
      const owner = classifyDial(dial, addresses);
      if (owner.kind === 'color') dialCount[owner.color] += 1;
      else if (owner.kind === 'neutral') neutralDials += 1;
      else foreign.push(dial);
    }
    if (foreign.length > 0) {
      problems.push(
        `the reverse_proxy handler for ${addresses.service} (${describe(handler)}) also proxies to ${foreign.join(', ')}, which is not ${addresses.service}; cutover replaces all upstreams of the handler, so give other backends their own handler`,
      );
      continue;
    }
    located.push({ service: addresses.service, handler, dialCount, neutralDials });
  }
  // Two services must not share a handler: switching one would switch the other.
  const seen = new Map<string, string>();
  for (const entry of located) {
    const key = entry.handler.pointer.join('/');
    const other = seen.get(key);
    if (other !== undefined) problems.push(`${other} and ${entry.service} are served by the same reverse_proxy handler (${describe(entry.handler)}); give each service its own`);
    seen.set(key, entry.service);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, handlers: located };
}

/** The color(s) a located handler sends traffic to now. */
export function liveColors(entry: ServiceHandler): Color[] {
  return COLORS.filter((color) => entry.dialCount[color] > 0);
}
