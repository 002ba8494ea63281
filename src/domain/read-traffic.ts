import { COLORS, type Color, type ColoredService } from '../config/model.js';
import type { JsonValue } from './caddy-json.js';
import { findProxyHandlers } from './find-proxy-handlers.js';
import { liveColors, locateServiceHandlers, type ServiceHandler } from './locate-service-handlers.js';
import { stripPreviewRoutes } from './rewrite-caddy-config.js';
import { reachModeOf, serviceAddresses, type ColorInstance, type ReachMode, type ServiceAddresses } from './service-addresses.js';

/** Where Caddy sends one colored service's traffic now. */
export interface ServiceTraffic {
  service: string;
  entry: ServiceHandler;
  addresses: ServiceAddresses;
  mode: ReachMode;
  /** Colors with at least one upstream entry. Empty: only the plain Compose name (no color yet). */
  colors: Color[];
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

function summarize(services: readonly ServiceTraffic[]): LiveTraffic {
  const single = services.map((s) => (s.colors.length === 1 && s.entry.neutralDials === 0 ? s.colors[0] : undefined));
  const first = single[0];
  if (first !== undefined && single.every((color) => color === first)) return { kind: 'color', color: first };
  if (services.every((s) => s.colors.length === 0)) return { kind: 'plain' };
  const detail = services
    .map((s) => `${s.service} → ${[...s.colors, ...(s.entry.neutralDials > 0 ? ['plain name'] : [])].join(' + ') || 'plain name'}`)
    .join(', ');
  return { kind: 'mixed', detail };
}

/** Reads, from Caddy's live config, which handler serves each colored service and which color(s) it reaches. */
export function readTraffic(config: JsonValue, services: readonly ColoredService[], instances: readonly ColorInstance[]): ReadTrafficResult {
  const base = stripPreviewRoutes(config);
  const addressBook = services.map((service) => serviceAddresses(service, instances));
  const located = locateServiceHandlers(findProxyHandlers(base), addressBook);
  if (!located.ok) return located;
  const problems: string[] = [];
  const traffic: ServiceTraffic[] = [];
  for (const entry of located.handlers) {
    const addresses = addressBook.find((a) => a.service === entry.service) as ServiceAddresses;
    const mode = reachModeOf(entry.handler.dials, addresses);
    if (mode === undefined) {
      problems.push(`cannot tell how Caddy reaches ${entry.service} from its upstreams (${entry.handler.dials.join(', ') || 'none'})`);
      continue;
    }
    traffic.push({ service: entry.service, entry, addresses, mode, colors: liveColors(entry) });
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
