import type { Color } from '../../config/model.js';
import { summarizeConfigProblems } from '../../errors.js';
import { COLORS } from '../../config/model.js';
import { isJsonObject, previewRouteId, serversOf, type JsonValue } from '../caddy-json.js';
import { readTraffic, type ServiceTraffic } from '../read-traffic.js';
import { problem, type Problem } from './problem-rules.js';
import type { StatusFacts, StatusInput } from './status-input.js';
import type { TrafficReport } from './status-report-types.js';

export interface TrafficSection {
  traffic: TrafficReport;
  /** Each located service's handler; empty when the traffic is unknown. */
  services: ServiceTraffic[];
  problems: Problem[];
}

const CADDY_CONFIG_HINT = 'give each colored service reverse_proxy handlers whose upstreams name only it (e.g. platform-blue:3000, or 127.0.0.1:<published port>); docs/handlers.md';

/** Where Caddy's live config sends the colored services. */
export function trafficSection(input: StatusInput, facts: StatusFacts): TrafficSection {
  const { caddy, project, docker } = facts;
  if (caddy === undefined) return { traffic: { kind: 'unknown', reason: "Caddy's admin API could not be read" }, services: [], problems: [] };
  if (project === undefined) return { traffic: { kind: 'unknown', reason: 'the project configuration could not be loaded' }, services: [], problems: [] };
  const read = readTraffic(caddy.config, project.colored, docker?.instances ?? []);
  if (read.ok) return { traffic: read.view.live, services: read.view.services, problems: [] };
  const message = summarizeConfigProblems(read.problems.map((text) => ({ file: `Caddy config (${input.caddyAdmin})`, path: '', message: text })));
  const found =
    docker === undefined
      ? problem('caddy-config', `${message} (Docker could not be read, so the containers' published ports are unknown)`, CADDY_CONFIG_HINT, { explained: true })
      : problem('caddy-config', message, CADDY_CONFIG_HINT, { details: read.problems });
  return { traffic: { kind: 'unknown', reason: "cutover cannot tell from Caddy's config which handler serves each service" }, services: [], problems: [found] };
}

/**
 * The colors one service's traffic reaches: from Caddy, else from the state
 * file's record; undefined when neither is known.
 */
export function colorsServing(section: TrafficSection, facts: StatusFacts, service: string): Color[] | undefined {
  if (section.traffic.kind !== 'unknown') return section.services.find((t) => t.service === service)?.colors ?? [];
  const recorded = facts.state?.active ?? null;
  return recorded === null ? undefined : [recorded.color];
}

/** The colors whose preview route (Cutover-Color) is in Caddy's config. */
export function previewColors(config: JsonValue): Color[] {
  const found = new Set<Color>();
  for (const [server, spec] of Object.entries(serversOf(config))) {
    if (!isJsonObject(spec) || !Array.isArray(spec.routes)) continue;
    for (const route of spec.routes) {
      if (!isJsonObject(route)) continue;
      for (const color of COLORS) if (route['@id'] === previewRouteId(server, color)) found.add(color);
    }
  }
  return COLORS.filter((color) => found.has(color));
}
