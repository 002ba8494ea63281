import { COLORS, otherColor, type Color } from '../config/model.js';
import { weightedUpstreams, type CaddyFeatures } from './weighted-upstreams.js';
import { type JsonObject, serversOf } from './caddy-json.js';
import type { TrafficView } from './read-traffic.js';
import { rewriteCaddyConfig, type PreviewTarget, type UpstreamChange } from './rewrite-caddy-config.js';
import { colorDials } from './color-dials.js';
import type { ColorInstance } from './service-addresses.js';

/** The one admin change that sends every colored service to `color`, and what it switches. */
export interface SwitchPlan {
  color: Color;
  /** Dials per service before and after, for the log and the drain. */
  services: Array<{ service: string; from: string[]; to: string[]; byColor: Record<Color, string[]>; port: number }>;
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
   * For a full switch: each service's load balancing as it was before a canary
   * changed it (null: it had none). Services not named keep what they have.
   */
  restoreLoadBalancing?: Record<string, JsonObject | null>;
}

/**
 * Plans the switch of all colored services to `color` (or, with
 * `options.split`, a weighted share of it) over the config as it is now
 * (`view`), using the running `instances` for host-mode dials.
 * Pure: the caller sends `servers` with If-Match, and on a 412 reads again and
 * calls this again: someone else's change is then part of `view`.
 */
export function planSwitch(view: TrafficView, color: Color, instances: readonly ColorInstance[], currentServers: JsonObject, options: SwitchOptions = {}): PlanSwitchResult {
  const problems: string[] = [];
  const changes: UpstreamChange[] = [];
  const previews: PreviewTarget[] = [];
  const summary: SwitchPlan['services'] = [];
  const dials = colorDials(view, instances);
  for (const [index, traffic] of view.services.entries()) {
    const dialsByColor = (dials[index] as (typeof dials)[number]).byColor;
    const missing = (options.split === undefined ? [color] : COLORS).filter((c) => dialsByColor[c].length === 0);
    if (missing.length > 0) {
      problems.push(`${traffic.service} has no ${missing.join(' or ')} upstream to switch to (no running container of that color publishes the port Caddy uses)`);
      continue;
    }
    const pointer = traffic.entry.handler.pointer;
    let to = dialsByColor[color];
    let loadBalancing: JsonObject | null | undefined = options.restoreLoadBalancing?.[traffic.service];
    if (options.split !== undefined) {
      const percent = { [color]: options.split.percent, [otherColor(color)]: 100 - options.split.percent } as Record<Color, number>;
      const weighted = weightedUpstreams(dialsByColor, percent, options.split.features, options.split.sticky);
      to = weighted.dials;
      loadBalancing = weighted.loadBalancing;
    }
    changes.push({ service: traffic.service, pointer, dials: to, ...(loadBalancing === undefined ? {} : { loadBalancing }) });
    previews.push({ service: traffic.service, pointer, dialsByColor });
    const port = traffic.mode.kind === 'network' ? traffic.mode.port : traffic.mode.containerPort;
    summary.push({ service: traffic.service, from: traffic.entry.handler.dials, to, byColor: dialsByColor, port });
  }
  if (problems.length > 0) return { ok: false, problems };
  const next = rewriteCaddyConfig(view.base, changes, previews);
  const servers = serversOf(next);
  return { ok: true, plan: { color, services: summary, servers, unchanged: JSON.stringify(servers) === JSON.stringify(currentServers) } };
}

/**
 * Plans the change back to plain Compose names (`platform:3000`) with no
 * preview routes: what `reset` leaves behind. Only for Caddy on the compose
 * network; a service Caddy reaches by a published host port has no plain
 * address, and is reported in `unreachable` and left as it is.
 */
export function planPlain(
  view: TrafficView,
  currentServers: JsonObject,
): { servers: JsonObject; unchanged: boolean; plain: string[]; unreachable: string[]; services: Array<{ service: string; port: number; dials: string[] }> } {
  const changes: UpstreamChange[] = [];
  const plain: string[] = [];
  const services: Array<{ service: string; port: number; dials: string[] }> = [];
  const unreachable: string[] = [];
  for (const traffic of view.services) {
    if (traffic.mode.kind !== 'network') {
      unreachable.push(traffic.service);
      continue;
    }
    const dials = [`${traffic.service}:${traffic.mode.port}`];
    changes.push({ service: traffic.service, pointer: traffic.entry.handler.pointer, dials });
    services.push({ service: traffic.service, port: traffic.mode.port, dials });
    plain.push(traffic.service);
  }
  const next = rewriteCaddyConfig(view.base, changes, []);
  const servers = serversOf(next);
  return { servers, unchanged: JSON.stringify(servers) === JSON.stringify(currentServers), plain, unreachable, services };
}
