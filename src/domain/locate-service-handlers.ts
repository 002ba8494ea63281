import { COLORS, type Color } from '../config/model.js';
import { serviceHandlerId } from './caddy-json.js';
import type { ProxyHandler } from './find-proxy-handlers.js';
import { classifyDial, type ServiceAddresses } from './service-addresses.js';

/** One reverse_proxy handler that reaches a colored service (a service may have several: ports, matchers, servers). */
export interface ServiceHandler {
  service: string;
  handler: ProxyHandler;
  /** Share of upstream entries per color now (duplicates count; weights are read separately). */
  dialCount: Record<Color, number>;
  /** Dials that reach the service by a name both colors share (plain Compose mode). */
  neutralDials: number;
}

export type LocateResult = { ok: true; handlers: ServiceHandler[] } | { ok: false; problems: string[] };

/** Where a handler is, for messages: its `@id`, else its server and path in the routes, with its upstreams. */
export function describeHandler(handler: ProxyHandler): string {
  const where = `${handler.server} ${handler.pointer.slice(4).join('/')}`;
  return handler.id === undefined ? `${where} (${handler.dials.join(' ') || 'no upstreams'})` : `@id ${handler.id}`;
}

function lookedFor(addresses: ServiceAddresses): string {
  const names = [...addresses.hosts.blue, ...addresses.hosts.green, ...addresses.neutralHosts].map((h) => `${h}:*`);
  const ports = [...addresses.hostPorts.blue, ...addresses.hostPorts.green, ...addresses.plainHostPorts].map((p) => `127.0.0.1:${p.hostPort}`);
  return [...names, ...ports].join(', ');
}

function reaches(handler: ProxyHandler, addresses: ServiceAddresses): boolean {
  return handler.dials.some((dial) => classifyDial(dial, addresses).kind !== 'foreign');
}

/**
 * Finds, for every colored service, every reverse_proxy handler that serves it,
 * on any server, port and matcher (docs/handlers.md): the handler tagged
 * `@id: "cutover-<service>"` and every handler with an upstream that reaches
 * the service (one of its color aliases or names, its plain name, a port a
 * color or the plain service publishes on the host). A handler marked to be
 * left alone (`header_down -Cutover-Keep`, see `keep` in ProxyHandler) is
 * skipped. A service that no handler reaches but whose colors both carry an
 * alias (`rag`: other services reach it by that name) is internal: it has no
 * handler and nothing to switch. Refused, one line each: any other service no handler reaches, a handler that
 * also proxies to upstreams that are not the service, a handler that reaches
 * two services, and a marker on a handler that reaches no colored service.
 */
export function locateServiceHandlers(handlers: readonly ProxyHandler[], services: readonly ServiceAddresses[]): LocateResult {
  const problems: string[] = [];
  const located: ServiceHandler[] = [];
  const owners = new Map<ProxyHandler, string[]>();
  const candidatesOf = (addresses: ServiceAddresses): ProxyHandler[] =>
    handlers.filter((h) => h.id === serviceHandlerId(addresses.service) || (h.dials.length > 0 && reaches(h, addresses)));
  for (const addresses of services) for (const handler of candidatesOf(addresses)) owners.set(handler, [...(owners.get(handler) ?? []), addresses.service]);
  for (const addresses of services) {
    const candidates = candidatesOf(addresses);
    const switched = candidates.filter((h) => !h.keep);
    // An internal service (other services reach it by an alias both colors carry) needs no handler.
    if (candidates.length === 0 && addresses.sharedAliases.length > 0) continue;
    if (switched.length === 0) {
      problems.push(
        candidates.length === 0
          ? `no reverse_proxy handler in Caddy's config serves ${addresses.service}: looked for @id ${serviceHandlerId(addresses.service)} or upstreams ${lookedFor(addresses)}`
          : `every reverse_proxy handler of ${addresses.service} is marked Cutover-Keep (${candidates.map(describeHandler).join('; ')}): leave at least one for cutover to switch`,
      );
      continue;
    }
    for (const handler of switched) {
      // Reported once below, for all the services it reaches.
      if ((owners.get(handler) ?? []).length > 1) continue;
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
          `the reverse_proxy handler ${describeHandler(handler)} proxies to ${addresses.service} and also to ${foreign.join(', ')}; cutover replaces all upstreams of a handler, so give other backends their own handler, or add header_down -Cutover-Keep to it to leave it alone`,
        );
        continue;
      }
      located.push({ service: addresses.service, handler, dialCount, neutralDials });
    }
  }
  // Two services must not share a handler: switching one would switch the other.
  for (const [handler, names] of owners) {
    if (names.length > 1 && !handler.keep) {
      problems.push(`${names.join(' and ')} are served by the same reverse_proxy handler (${describeHandler(handler)}); give each service its own`);
    }
  }
  for (const handler of handlers) {
    if (handler.keep && !owners.has(handler)) {
      problems.push(`the reverse_proxy handler ${describeHandler(handler)} is marked Cutover-Keep but reaches no colored service: remove the marker (header_down -Cutover-Keep)`);
    }
  }
  if (problems.length === 0 && located.length === 0 && services.length > 0) {
    problems.push(
      `no reverse_proxy handler in Caddy's config serves any colored service (${services.map((s) => s.service).join(', ')}): looked for upstreams ${services.map(lookedFor).join(', ')}`,
    );
  }
  return problems.length > 0 ? { ok: false, problems: [...new Set(problems)] } : { ok: true, handlers: located };
}

/** The color(s) a located handler sends traffic to now. */
export function liveColors(entry: Pick<ServiceHandler, 'dialCount'>): Color[] {
  return COLORS.filter((color) => entry.dialCount[color] > 0);
}
