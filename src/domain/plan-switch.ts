import { COLORS, otherColor, type Color } from '../config/model.js';
import { weightedUpstreams, type CaddyFeatures } from './weighted-upstreams.js';
import { isJsonObject, type JsonObject, SERVERS_POINTER, serversOf } from './caddy-json.js';
import type { TrafficView } from './read-traffic.js';
import { rewriteCaddyConfig, type PreviewTarget, type UpstreamChange } from './rewrite-caddy-config.js';
import { colorDials, type HandlerColorDials, type ServiceColorDials } from './color-dials.js';
import { plainDialFor, type ColorInstance } from './service-addresses.js';

/** What one handler of a service is switched from and to. */
export interface HandlerSwitch {
  service: string;
  pointer: Array<string | number>;
  /** The container port the handler reaches. */
  port: number;
  from: string[];
  to: string[];
  byColor: Record<Color, string[]>;
}

/** The one admin change that sends every colored service to `color`, and what it switches. */
export interface SwitchPlan {
  color: Color;
  /** Dials per service before and after, over all its handlers (no duplicates), for the log and the drain. */
  services: Array<{ service: string; from: string[]; to: string[]; byColor: Record<Color, string[]>; ports: number[] }>;
  /** Every handler switched, in config order. */
  handlers: HandlerSwitch[];
  /** One entry per service and port: what the Caddyfile snippets `cutover-<service>-<port>` name. */
  byPort: Array<{ service: string; port: number; to: string[]; byColor: Record<Color, string[]> }>;
  /** The new `apps.http.servers` object; sent as one PATCH guarded by the root ETag. */
  servers: JsonObject;
  /** True when Caddy already looks exactly like this (nothing to send). */
  unchanged: boolean;
}

export type PlanSwitchResult = { ok: true; plan: SwitchPlan } | { ok: false; problems: string[] };

/** A canary step: `percent` of the requests to `color`, the rest to the other color. */
export interface SplitTarget {
  percent: number;
  features: CaddyFeatures;
  sticky: boolean;
}

export interface SwitchOptions {
  /** Set for a canary step; unset for a full switch to `color`. */
  split?: SplitTarget;
  /**
   * For a full switch: the load balancing of each handler as it was before a
   * canary changed it (null: it had none), keyed by `handlerKey` (a key that is
   * a bare service name, as state files before several handlers wrote, stands
   * for every handler of that service). Handlers not named keep what they have.
   */
  restoreLoadBalancing?: Record<string, JsonObject | null>;
}

/** `platform@srv0/routes/1/handle/0/routes/0/handle/0`: one handler of one service, for the journal. */
export function handlerKey(service: string, pointer: ReadonlyArray<string | number>): string {
  return `${service}@${pointer.slice(SERVERS_POINTER.length).join('/')}`;
}

/** Each handler's `load_balancing` as the user has it now (null: none), keyed by `handlerKey`: what a canary puts back. */
export function loadBalancingByHandler(view: TrafficView): Record<string, JsonObject | null> {
  return Object.fromEntries(
    view.services.flatMap((traffic) =>
      traffic.handlers.map((h) => {
        const lb = h.handler.handler.load_balancing;
        return [handlerKey(traffic.service, h.handler.pointer), isJsonObject(lb) ? lb : null];
      }),
    ),
  );
}

function restoredLoadBalancing(options: SwitchOptions, service: string, pointer: ReadonlyArray<string | number>): JsonObject | null | undefined {
  const recorded = options.restoreLoadBalancing;
  if (recorded === undefined) return undefined;
  const key = handlerKey(service, pointer);
  if (Object.hasOwn(recorded, key)) return recorded[key];
  return Object.hasOwn(recorded, service) ? recorded[service] : undefined;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Plans the switch of all colored services to `color` (or, with
 * `options.split`, a weighted share of it) over the config as it is now
 * (`view`), using the running `instances` for host-mode dials. Every handler
 * of every service is switched in this one change, each on its own port.
 * Pure: the caller sends `servers` with If-Match, and on a 412 reads again and
 * calls this again: someone else's change is then part of `view`.
 */
export function planSwitch(view: TrafficView, color: Color, instances: readonly ColorInstance[], currentServers: JsonObject, options: SwitchOptions = {}): PlanSwitchResult {
  const problems: string[] = [];
  const changes: UpstreamChange[] = [];
  const previews: PreviewTarget[] = [];
  const handlers: HandlerSwitch[] = [];
  const dials = colorDials(view, instances);
  for (const [index, traffic] of view.services.entries()) {
    const serviceDials = dials[index] as ServiceColorDials;
    for (const [handlerIndex, handler] of traffic.handlers.entries()) {
      const dialsByColor = (serviceDials.handlers[handlerIndex] as HandlerColorDials).byColor;
      const missing = (options.split === undefined ? [color] : COLORS).filter((c) => dialsByColor[c].length === 0);
      if (missing.length > 0) {
        problems.push(
          `${traffic.service} has no ${missing.join(' or ')} upstream for port ${handler.port} to switch to (${handler.mode.kind === 'host' ? `no running container of that color publishes container port ${handler.port} on the host` : 'that color has no network alias of its own'})`,
        );
        continue;
      }
      const pointer = handler.handler.pointer;
      let to = dialsByColor[color];
      let loadBalancing = restoredLoadBalancing(options, traffic.service, pointer);
      if (options.split !== undefined) {
        const percent = { [color]: options.split.percent, [otherColor(color)]: 100 - options.split.percent } as Record<Color, number>;
        const weighted = weightedUpstreams(dialsByColor, percent, options.split.features, options.split.sticky);
        to = weighted.dials;
        loadBalancing = weighted.loadBalancing;
      }
      changes.push({ service: traffic.service, pointer, dials: to, ...(loadBalancing === undefined ? {} : { loadBalancing }) });
      previews.push({ service: traffic.service, pointer, dialsByColor });
      handlers.push({ service: traffic.service, pointer, port: handler.port, from: handler.handler.dials, to, byColor: dialsByColor });
    }
  }
  if (problems.length > 0) return { ok: false, problems: unique(problems) };
  const next = rewriteCaddyConfig(view.base, changes, previews);
  const servers = serversOf(next);
  const services = view.services.map((traffic) => {
    const own = handlers.filter((h) => h.service === traffic.service);
    return {
      service: traffic.service,
      from: unique(own.flatMap((h) => h.from)),
      to: unique(own.flatMap((h) => h.to)),
      byColor: Object.fromEntries(COLORS.map((c) => [c, unique(own.flatMap((h) => h.byColor[c]))])) as Record<Color, string[]>,
      ports: [...new Set(own.map((h) => h.port))],
    };
  });
  const byPort: SwitchPlan['byPort'] = [];
  for (const h of handlers) {
    if (byPort.some((p) => p.service === h.service && p.port === h.port)) continue;
    byPort.push({ service: h.service, port: h.port, to: h.to, byColor: h.byColor });
  }
  return { ok: true, plan: { color, services, handlers, byPort, servers, unchanged: JSON.stringify(servers) === JSON.stringify(currentServers) } };
}

/** The one admin change back to plain Compose mode, and what it points each service at. */
export interface PlainPlan {
  servers: JsonObject;
  unchanged: boolean;
  /** Services Caddy will reach in plain mode. */
  plain: string[];
  /** Services Caddy reaches by a host port that the plain service does not publish: left as they are. */
  unreachable: string[];
  /** One entry per service and port Caddy reaches it on. */
  services: Array<{ service: string; port: number; dials: string[] }>;
}

/**
 * Plans the change back to plain Compose mode: Caddy on the compose network
 * reaches each service by its plain name on each handler's port
 * (`platform:3000`, `platform:3210`); Caddy on the host by the host port that
 * compose.yml's plain service publishes for that port (`127.0.0.1:8080`). A
 * service with a handler on a port the plain service does not publish on the
 * host is reported in `unreachable` and all its handlers are left as they are.
 *
 * Without `keepPreviewsFor`, no preview route is left: the config as before
 * the first deploy. With the running color instances, the preview routes to
 * both colors stay, so Caddy keeps counting the requests still in flight to
 * the color being left (the drain reads them); a later change removes them.
 */
export function planPlain(view: TrafficView, currentServers: JsonObject, options: { keepPreviewsFor?: readonly ColorInstance[] } = {}): PlainPlan {
  const changes: UpstreamChange[] = [];
  const previews: PreviewTarget[] = [];
  const plain: string[] = [];
  const services: PlainPlan['services'] = [];
  const unreachable: string[] = [];
  const dials = options.keepPreviewsFor === undefined ? undefined : colorDials(view, options.keepPreviewsFor);
  for (const [index, traffic] of view.services.entries()) {
    const targets = traffic.handlers.map((h) => plainDialFor(traffic.addresses, h.mode));
    if (targets.some((t) => t === undefined)) {
      unreachable.push(traffic.service);
      continue;
    }
    for (const [handlerIndex, handler] of traffic.handlers.entries()) {
      const to = [targets[handlerIndex] as string];
      const pointer = handler.handler.pointer;
      changes.push({ service: traffic.service, pointer, dials: to });
      const byColor = dials?.[index]?.handlers[handlerIndex]?.byColor;
      if (byColor !== undefined && COLORS.some((c) => byColor[c].length > 0)) previews.push({ service: traffic.service, pointer, dialsByColor: byColor });
      if (!services.some((s) => s.service === traffic.service && s.port === handler.port)) services.push({ service: traffic.service, port: handler.port, dials: to });
    }
    plain.push(traffic.service);
  }
  const next = rewriteCaddyConfig(view.base, changes, previews);
  const servers = serversOf(next);
  return { servers, unchanged: JSON.stringify(servers) === JSON.stringify(currentServers), plain, unreachable, services };
}
