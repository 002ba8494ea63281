import { COLORS, type Color } from '../config/model.js';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue, sameJson, serviceHandlerId, serversOf } from './caddy-json.js';
import { findProxyHandlers, type ProxyHandler } from './find-proxy-handlers.js';
import { stripPreviewRoutes } from './rewrite-caddy-config.js';
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
  /** It dials task addresses as static upstreams (a canary step, way B), not a `tasks.` name. */
  weighted: boolean;
}

/** The one admin change that sends every colored service to `color`'s tasks (docs/swarm.md, choice A). */
export interface SwarmSwitchPlan {
  color: Color;
  handlers: SwarmHandlerSwitch[];
  /** The color every handler names now; undefined when none names a color, `mixed` when they disagree. */
  live: Color | 'mixed' | undefined;
  /** Some handler dials task addresses as static upstreams: Caddy is in a canary step's weighted state (way B). */
  weighted: boolean;
  servers: JsonObject;
  unchanged: boolean;
}

/** What a Swarm switch is planned from, besides the config. */
export interface SwarmSwitchInput {
  project: string;
  services: readonly string[];
  color: Color;
  /**
   * Per service, the addresses of its tasks (either color, any state): a handler
   * that dials one of them as a static upstream (a canary step wrote it) is that
   * service's too, and counts as weighted.
   */
  taskAddresses?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * Each handler's `load_balancing` as it was before a canary replaced it with
   * weights (null: none), keyed by swarmHandlerKey; handlers not named keep theirs.
   */
  restoreLoadBalancing?: Readonly<Record<string, JsonObject | null>> | undefined;
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

/** True when a dial of the handler is one of `addresses` (a task's), as a canary step writes them. */
function dialsTask(handler: ProxyHandler, addresses: readonly string[] | undefined): boolean {
  if (addresses === undefined || addresses.length === 0 || dynamicOf(handler.handler) !== undefined) return false;
  return handler.dials.some((dial) => addresses.includes(dial.slice(0, dial.lastIndexOf(':'))));
}

/** `web@srv0/routes/0/handle/0`: one handler of one service, as the canary journals its load balancing. */
export function swarmHandlerKey(service: string, pointer: ReadonlyArray<string | number>): string {
  return `${service}@${pointer.slice(3).join('/')}`;
}

/**
 * Pure: the handlers of every colored service in `config` (its preview routes
 * left out: the pointers are into stripPreviewRoutes(config)), each with its
 * port, or the problems that stop a switch. A handler belongs to a service when
 * it has `@id: cutover-<service>`, names either color's tasks (dynamically or
 * as a dial), or dials one of the service's task addresses (a canary step's).
 */
export function findSwarmHandlers(config: JsonValue, input: Pick<SwarmSwitchInput, 'project' | 'services' | 'taskAddresses'>): { ok: true; handlers: SwarmHandlerSwitch[] } | { ok: false; problems: string[] } {
  const handlers = findProxyHandlers(stripPreviewRoutes(config));
  const problems: string[] = [];
  const switches: SwarmHandlerSwitch[] = [];
  for (const service of input.services) {
    const addresses = input.taskAddresses?.[service];
    const mine = handlers.filter((h) => !h.keep && (h.id === serviceHandlerId(service) || colorNamed(h, input.project, service) !== undefined || dialsTask(h, addresses)));
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
      switches.push({ service, pointer: handler.pointer, port, from: colorNamed(handler, input.project, service), handler: handler.handler, weighted: dialsTask(handler, addresses) });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, handlers: switches };
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
 * replacing any static upstreams (a canary step's task addresses too), and
 * without cutover's preview routes. Which handlers: findSwarmHandlers.
 * Refused: a service no handler serves, a handler whose port cannot be told.
 * Other fields of the handler (headers, transport) stay; its load balancing
 * too, unless `restoreLoadBalancing` puts back the one before a canary.
 */
export function planSwarmSwitch(config: JsonValue, input: SwarmSwitchInput): PlanSwarmSwitchResult {
  const found = findSwarmHandlers(config, input);
  if (!found.ok) return found;
  const switches = found.handlers;
  // Preview routes (a canary's) are dropped: a resting color is reached through its tasks. name only.
  const root = cloneJson(isJsonObject(config) ? (stripPreviewRoutes(config) as JsonObject) : {});
  for (const s of switches) {
    const { upstreams: _static, dynamic_upstreams: _dynamic, load_balancing: loadBalancing, ...rest } = s.handler;
    const before = dynamicOf(s.handler);
    const refresh = typeof before?.refresh === 'string' ? before.refresh : SWARM_DNS_REFRESH;
    const key = swarmHandlerKey(s.service, s.pointer);
    const restored = input.restoreLoadBalancing !== undefined && Object.hasOwn(input.restoreLoadBalancing, key) ? input.restoreLoadBalancing[key] : loadBalancing;
    setAt(root, s.pointer, { ...rest, ...(isJsonObject(restored) ? { load_balancing: restored } : {}), dynamic_upstreams: { ...(before ?? {}), source: 'a', name: swarmTasksHost(input.project, s.service, input.color), port: s.port, refresh } });
  }
  const froms = new Set(switches.filter((s) => !s.weighted).map((s) => s.from));
  const live = froms.size === 1 ? [...froms][0] : froms.size === 0 ? undefined : 'mixed';
  const servers = serversOf(root);
  return { ok: true, plan: { color: input.color, handlers: switches, live, weighted: switches.some((s) => s.weighted), servers, unchanged: sameJson(servers, serversOf(config)) } };
}
