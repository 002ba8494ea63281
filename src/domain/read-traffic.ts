import { COLORS, type Color, type ColoredService } from '../config/model.js';
import type { JsonValue } from './caddy-json.js';
import { findProxyHandlers } from './find-proxy-handlers.js';
import { describeHandler, liveColors, locateServiceHandlers, type ServiceHandler } from './locate-service-handlers.js';
import { stripPreviewRoutes } from './rewrite-caddy-config.js';
import { reachModeOf, serviceAddresses, type ColorInstance, type ReachMode, type ServiceAddresses } from './service-addresses.js';

/** One handler of a colored service, and how it reaches the service. */
export interface HandlerTraffic extends ServiceHandler {
  mode: ReachMode;
  /** The container port this handler reaches (3000, 3210, ...): the same for Caddy on the host and on the network. */
  port: number;
  /** Colors with at least one upstream entry in this handler. */
  colors: Color[];
}

/** Where Caddy sends one colored service's traffic now, through all of its handlers. */
export interface ServiceTraffic {
  service: string;
  /** Every handler cutover switches for it, in config order (servers, routes, subroutes). */
  handlers: HandlerTraffic[];
  addresses: ServiceAddresses;
  /** Colors with at least one upstream entry in any handler. Empty: only the plain Compose name (no color yet). */
  colors: Color[];
  /** Upstream entries, over all handlers, that use a name both colors share (plain Compose mode). */
  neutralDials: number;
}

/**
 * What all colored services receive together:
 * - `color`: every service sends all traffic to that color;
 * - `plain`: every service still uses its plain Compose name (before the first deploy);
 * - `mixed`: anything else (a canary between steps, a hand edit, the both-colors passive setup).
 */
export type LiveTraffic = { kind: 'color'; color: Color } | { kind: 'plain' } | { kind: 'mixed'; detail: string };

export interface TrafficView {
  /** The config without cutover's preview routes; handler pointers refer to it. */
  base: JsonValue;
  services: ServiceTraffic[];
  live: LiveTraffic;
}

export type ReadTrafficResult = { ok: true; view: TrafficView } | { ok: false; problems: string[] };

function summarize(all: readonly ServiceTraffic[]): LiveTraffic {
  // Internal services (no handler) take no traffic from Caddy: they say nothing about where it goes.
  const services = all.filter((s) => s.handlers.length > 0);
  const single = services.map((s) => (s.colors.length === 1 && s.neutralDials === 0 ? s.colors[0] : undefined));
  const first = single[0];
  if (first !== undefined && single.every((color) => color === first)) return { kind: 'color', color: first };
  if (services.every((s) => s.colors.length === 0)) return { kind: 'plain' };
  const detail = services
    .map((s) => `${s.service} → ${[...s.colors, ...(s.neutralDials > 0 ? ['plain name'] : [])].join(' + ') || 'plain name'}`)
    .join(', ');
  return { kind: 'mixed', detail };
}

/** Reads, from Caddy's live config, which handlers serve each colored service and which color(s) they reach. */
export function readTraffic(config: JsonValue, services: readonly ColoredService[], instances: readonly ColorInstance[]): ReadTrafficResult {
  const base = stripPreviewRoutes(config);
  const addressBook = services.map((service) => serviceAddresses(service, instances));
  const located = locateServiceHandlers(findProxyHandlers(base), addressBook);
  if (!located.ok) return located;
  const problems: string[] = [];
  const traffic: ServiceTraffic[] = [];
  for (const addresses of addressBook) {
    const handlers: HandlerTraffic[] = [];
    for (const entry of located.handlers.filter((h) => h.service === addresses.service)) {
      const mode = reachModeOf(entry.handler.dials, addresses);
      if (mode === undefined) {
        problems.push(`cannot tell how Caddy reaches ${entry.service} from the upstreams of ${describeHandler(entry.handler)}`);
        continue;
      }
      handlers.push({ ...entry, mode, port: mode.kind === 'network' ? mode.port : mode.containerPort, colors: liveColors(entry) });
    }
    const colors = COLORS.filter((color) => handlers.some((h) => h.colors.includes(color)));
    const neutralDials = handlers.reduce((sum, h) => sum + h.neutralDials, 0);
    traffic.push({ service: addresses.service, handlers, addresses, colors, neutralDials });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, view: { base, services: traffic, live: summarize(traffic) } };
}

/** The color a deploy starts: the one that is not live; blue when nothing is colored yet. */
export function nextColor(live: LiveTraffic): Color | undefined {
  if (live.kind === 'color') return COLORS.find((color) => color !== live.color);
  if (live.kind === 'plain') return 'blue';
  return undefined;
}

/** Every upstream dial of a service over all its handlers, first seen first, no duplicates. */
export function liveDials(traffic: ServiceTraffic): string[] {
  return [...new Set(traffic.handlers.flatMap((h) => h.handler.dials))];
}
