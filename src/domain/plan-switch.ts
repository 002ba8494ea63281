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

/** The one admin change back to plain Compose mode, and what it points each service at. */
export interface PlainPlan {
  servers: JsonObject;
  unchanged: boolean;
  /** Services Caddy will reach in plain mode. */
  plain: string[];
  /** Services Caddy reaches by a host port that the plain service does not publish: left as they are. */
  unreachable: string[];
  services: Array<{ service: string; port: number; dials: string[] }>;
}

/**
 * Plans the change back to plain Compose mode: Caddy on the compose network
 * reaches each service by its plain name (`platform:3000`); Caddy on the host
 * by the host port that compose.yml's plain service publishes
 * (`127.0.0.1:8080`). A service Caddy reaches by a host port that the plain
 * service does not publish is reported in `unreachable` and left as it is.
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
    const pointer = traffic.entry.handler.pointer;
    let to: string[];
    let port: number;
    if (traffic.mode.kind === 'network') {
      port = traffic.mode.port;
      to = [`${traffic.service}:${port}`];
    } else {
      const containerPort = traffic.mode.containerPort;
      const published = traffic.addresses.plainHostPorts.find((p) => p.containerPort === containerPort);
      if (published === undefined) {
        unreachable.push(traffic.service);
        continue;
      }
      port = containerPort;
      to = [`127.0.0.1:${published.hostPort}`];
    }
    changes.push({ service: traffic.service, pointer, dials: to });
    const byColor = dials?.[index]?.byColor;
    if (byColor !== undefined && COLORS.some((c) => byColor[c].length > 0)) previews.push({ service: traffic.service, pointer, dialsByColor: byColor });
    services.push({ service: traffic.service, port, dials: to });
    plain.push(traffic.service);
  }
  const next = rewriteCaddyConfig(view.base, changes, previews);
  const servers = serversOf(next);
  return { servers, unchanged: JSON.stringify(servers) === JSON.stringify(currentServers), plain, unreachable, services };
}
