import { COLORS, otherColor, type Color } from '../config/model.js';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue, sameJson, serversOf } from './caddy-json.js';
import { findSwarmHandlers, swarmHandlerKey } from './plan-swarm-switch.js';
import { type PreviewTarget, rewriteCaddyConfig, stripPreviewRoutes, type UpstreamChange } from './rewrite-caddy-config.js';
import { type CaddyFeatures, weightedUpstreams } from './weighted-upstreams.js';

/** One handler of a colored service in a canary step: the task dials of each color and what it now dials. */
export interface SwarmCanaryHandler {
  service: string;
  pointer: Array<string | number>;
  port: string;
  /** `address:port` of each running task of each color. */
  byColor: Record<Color, string[]>;
  /** The upstream list written (repeated dials on Caddy 2.6). */
  dials: string[];
}

/** One canary step on Swarm (docs/swarm.md, "Canary"): the servers to send, and what each dial reaches. */
export interface SwarmCanaryStepPlan {
  servers: JsonObject;
  unchanged: boolean;
  handlers: SwarmCanaryHandler[];
  /** Each handler's `load_balancing` before this change (null: none), by swarmHandlerKey: what the way back puts back. */
  loadBalancing: Record<string, JsonObject | null>;
}

export type PlanSwarmCanaryStepResult = { ok: true; plan: SwarmCanaryStepPlan } | { ok: false; problems: string[] };

export interface SwarmCanaryStepInput {
  project: string;
  services: readonly string[];
  /** Per service and color, the address of each running task on the network Caddy reaches it on. */
  tasks: Readonly<Record<string, Record<Color, readonly string[]>>>;
  toColor: Color;
  /** The new color's share, 1 to 99. */
  percent: number;
  features: CaddyFeatures;
  sticky: boolean;
  /**
   * Per service, the addresses of its tasks in any state (default: the running
   * ones): a handler an earlier step pointed at a task Swarm has since replaced
   * is still found by it.
   */
  knownAddresses?: Readonly<Record<string, readonly string[]>> | undefined;
}

function withoutDynamic(root: JsonObject, pointer: ReadonlyArray<string | number>): void {
  let node: JsonValue = root;
  for (const key of pointer) node = (node as Record<string | number, JsonValue>)[key] as JsonValue;
  if (isJsonObject(node)) delete node.dynamic_upstreams;
}

/**
 * Pure: one canary step on Swarm (way B): every handler of every colored
 * service gets static upstreams, the running tasks of both colors (each task's
 * address with the handler's port), weighted so that `toColor` gets `percent`
 * of the requests, as the Compose canary weights them (weightedUpstreams:
 * `weighted_round_robin` where Caddy has it, else each dial repeated as often as
 * its weight under `round_robin`); `dynamic_upstreams` is dropped from the
 * handler for the step. In front of each server, one preview route per color
 * (`Cutover-Color`) reaches that color's tasks only: what the probes request.
 * Handlers are found as the switch finds them (findSwarmHandlers), also when
 * an earlier step already wrote task addresses. Refused: a color of a service
 * with no running task, and what findSwarmHandlers refuses.
 */
export function planSwarmCanaryStep(config: JsonValue, input: SwarmCanaryStepInput): PlanSwarmCanaryStepResult {
  const taskAddresses = Object.fromEntries(input.services.map((service) => [service, [...(input.knownAddresses?.[service] ?? []), ...COLORS.flatMap((color) => [...(input.tasks[service]?.[color] ?? [])])]]));
  const found = findSwarmHandlers(config, { project: input.project, services: input.services, taskAddresses });
  if (!found.ok) return found;
  const problems: string[] = [];
  for (const service of input.services) {
    for (const color of COLORS) if ((input.tasks[service]?.[color] ?? []).length === 0) problems.push(`${service} has no running ${color} task to send ${color === input.toColor ? 'the canary\'s share' : 'the rest'} to`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const base = stripPreviewRoutes(config);
  const root = cloneJson(isJsonObject(base) ? base : {});
  const percent = { [input.toColor]: input.percent, [otherColor(input.toColor)]: 100 - input.percent } as Record<Color, number>;
  const changes: UpstreamChange[] = [];
  const previews: PreviewTarget[] = [];
  const handlers: SwarmCanaryHandler[] = [];
  const loadBalancing: Record<string, JsonObject | null> = {};
  for (const h of found.handlers) {
    const byColor = Object.fromEntries(COLORS.map((color) => [color, (input.tasks[h.service]?.[color] ?? []).map((address) => `${address}:${h.port}`)])) as Record<Color, string[]>;
    const weighted = weightedUpstreams(byColor, percent, input.features, input.sticky);
    withoutDynamic(root, h.pointer);
    changes.push({ service: h.service, pointer: h.pointer, dials: weighted.dials, loadBalancing: weighted.loadBalancing });
    previews.push({ service: h.service, pointer: h.pointer, dialsByColor: byColor });
    handlers.push({ service: h.service, pointer: h.pointer, port: h.port, byColor, dials: weighted.dials });
    loadBalancing[swarmHandlerKey(h.service, h.pointer)] = isJsonObject(h.handler.load_balancing) ? h.handler.load_balancing : null;
  }
  const servers = serversOf(rewriteCaddyConfig(root, changes, previews));
  return { ok: true, plan: { servers, unchanged: sameJson(servers, serversOf(config)), handlers, loadBalancing } };
}
