import { COLORS, type Color } from '../config/model.js';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue, sameJson, serviceHandlerId, serversOf } from './caddy-json.js';
import { findProxyHandlers, type ProxyHandler } from './find-proxy-handlers.js';
import { swarmTasksHost } from './swarm-service-name.js';

/** How often Caddy looks the `tasks.` name up again: short, so a task Swarm replaces is followed within a second. */
export const SWARM_DNS_REFRESH = '1s';

/** One handler of a colored service switched to a color's `tasks.` name. */
export interface SwarmHandlerSwitch {
  service: string;
  pointer: Array<string | number>;
  /** The port the handler dials on every task (the container port, as a string as Caddy keeps it). */
  port: string;
  /** The color the handler names now; undefined when it names neither (first deploy). */
  from: Color | undefined;
  /** The handler as it is now. */
  handler: JsonObject;
}

/** The one admin change that sends every colored service to `color`'s tasks (docs/swarm.md, choice A). */
export interface SwarmSwitchPlan {
  color: Color;
  handlers: SwarmHandlerSwitch[];
  /** The color every handler names now; undefined when none names a color, `mixed` when they disagree. */
  live: Color | 'mixed' | undefined;
  servers: JsonObject;
  unchanged: boolean;
}

export type PlanSwarmSwitchResult = { ok: true; plan: SwarmSwitchPlan } | { ok: false; problems: string[] };

function dynamicOf(handler: JsonObject): JsonObject | undefined {
  const dynamic = handler.dynamic_upstreams;
  return isJsonObject(dynamic) ? dynamic : undefined;
}

/** The color whose `tasks.` name (or service name) the handler reaches, by its dynamic source or a static dial. */
function colorNamed(handler: ProxyHandler, project: string, service: string): Color | undefined {
  const dynamic = dynamicOf(handler.handler);
  const names = [...(typeof dynamic?.name === 'string' ? [dynamic.name] : []), ...handler.dials.map((dial) => dial.slice(0, dial.lastIndexOf(':')))];
  return COLORS.find((color) => names.some((name) => name === swarmTasksHost(project, service, color) || name === swarmTasksHost(project, service, color).slice('tasks.'.length)));
}

function portOf(handler: ProxyHandler): string | undefined {
  const dynamic = dynamicOf(handler.handler);
  if (typeof dynamic?.port === 'string' && dynamic.port !== '') return dynamic.port;
  if (typeof dynamic?.port === 'number') return String(dynamic.port);
  const dial = handler.dials[0];
  if (dial === undefined) return undefined;
  const port = dial.slice(dial.lastIndexOf(':') + 1);
  return /^\d+$/.test(port) ? port : undefined;
}

function setAt(root: JsonObject, pointer: ReadonlyArray<string | number>, value: JsonObject): void {
  let node: JsonValue = root;
  for (const key of pointer.slice(0, -1)) node = (node as Record<string | number, JsonValue>)[key] as JsonValue;
  (node as Record<string | number, JsonValue>)[pointer[pointer.length - 1] as string | number] = value;
}

/**
 * Pure: the change that points every handler of every colored service at
 * `color`'s Swarm tasks, `dynamic_upstreams` of source `a` on
 * `tasks.<project>_<service>-<color>` (port per handler, as the handler had it),
 * replacing any static upstreams. A handler belongs to a service when it has
 * `@id: cutover-<service>` or names either color's tasks (dynamically or as a
 * dial). Refused: a service no handler serves, a handler whose port cannot be
 * told. Other fields of the handler (load balancing, headers, transport) stay.
 */
export function planSwarmSwitch(config: JsonValue, input: { project: string; services: readonly string[]; color: Color }): PlanSwarmSwitchResult {
  const handlers = findProxyHandlers(config);
  const problems: string[] = [];
  const switches: SwarmHandlerSwitch[] = [];
  for (const service of input.services) {
    const mine = handlers.filter((h) => !h.keep && (h.id === serviceHandlerId(service) || colorNamed(h, input.project, service) !== undefined));
    if (mine.length === 0) {
      problems.push(`no reverse_proxy handler in Caddy's config serves ${service}: give one @id ${serviceHandlerId(service)}, or dynamic upstreams on ${swarmTasksHost(input.project, service, 'blue')}`);
      continue;
    }
    for (const handler of mine) {
      const port = portOf(handler);
      if (port === undefined) {
        problems.push(`the reverse_proxy handler ${handler.id ?? handler.pointer.slice(3).join('/')} of ${service} has no port: give it dynamic_upstreams with "port" or an upstream dial host:port`);
        continue;
      }
      switches.push({ service, pointer: handler.pointer, port, from: colorNamed(handler, input.project, service), handler: handler.handler });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const root = cloneJson(isJsonObject(config) ? config : {});
  for (const s of switches) {
    const { upstreams: _static, dynamic_upstreams: _dynamic, ...rest } = s.handler;
    const before = dynamicOf(s.handler);
    const refresh = typeof before?.refresh === 'string' ? before.refresh : SWARM_DNS_REFRESH;
    setAt(root, s.pointer, { ...rest, dynamic_upstreams: { ...(before ?? {}), source: 'a', name: swarmTasksHost(input.project, s.service, input.color), port: s.port, refresh } });
  }
  const froms = new Set(switches.map((s) => s.from));
  const live = froms.size === 1 ? [...froms][0] : froms.size === 0 ? undefined : 'mixed';
  const servers = serversOf(root);
  return { ok: true, plan: { color: input.color, handlers: switches, live, servers, unchanged: sameJson(servers, serversOf(config)) } };
}
