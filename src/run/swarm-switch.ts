import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import type { SwarmServices } from '../adapters/swarm/swarm-services.js';
import type { Color, ProjectConfig } from '../config/model.js';
import type { JsonValue } from '../domain/caddy-json.js';
import type { JsonObject } from '../domain/caddy-json.js';
import { planSwarmSwitch, type SwarmSwitchInput, type SwarmSwitchPlan } from '../domain/plan-swarm-switch.js';
import { swarmServiceName } from '../domain/swarm-service-name.js';
import { ConfigInvalidError, OperationFailedError } from '../errors.js';
import { type DrainResult, drainUpstreams } from './drain-upstreams.js';
import { caddyInstances, type Runtime } from './runtime.js';
import { switchTraffic, type SwitchRound } from './switch-traffic.js';

const servicesOf = (project: ProjectConfig) => project.colored.map((s) => s.name);

/** After a canary (docs/swarm.md, "Canary"): how its weighted handlers are recognised and what the switch puts back. */
export interface SwarmSwitchExtras {
  /** Per service, its tasks' addresses (any color, any state): a handler a canary step pointed at them is switched too. */
  taskAddresses?: SwarmSwitchInput['taskAddresses'];
  /** The load balancing of each handler before the canary, by swarmHandlerKey. */
  restoreLoadBalancing?: SwarmSwitchInput['restoreLoadBalancing'];
  /** A change outside the servers that goes in the same request (the canary's traffic log taken out). */
  rewriteRoot?: (root: JsonObject, admin: CaddyAdmin) => JsonObject;
}

/** Plans over one Caddy config, as a round of switchTraffic wants it. */
function roundFor(project: ProjectConfig, color: Color, extras: SwarmSwitchExtras = {}): (config: JsonValue) => SwitchRound<SwarmSwitchPlan> {
  return (config) => {
    const planned = planSwarmSwitch(config, { project: project.projectName, services: servicesOf(project), color, taskAddresses: extras.taskAddresses, restoreLoadBalancing: extras.restoreLoadBalancing });
    return planned.ok ? { ok: true, servers: planned.plan.servers, unchanged: planned.plan.unchanged, plan: planned.plan } : planned;
  };
}

/**
 * The color every Caddy instance sends the colored services to now (by the
 * `tasks.` names its handlers carry), undefined when none names a color yet.
 * Refuses handlers that cannot be switched, and instances that disagree.
 */
export async function readSwarmLiveColor(runtime: Runtime, project: ProjectConfig): Promise<Color | undefined> {
  const lives = new Set<Color | 'mixed' | undefined>();
  for (const admin of caddyInstances(runtime)) lives.add(await readInstanceSwarmColor(admin, project));
  if (lives.size > 1 || lives.has('mixed')) {
    throw new OperationFailedError('Caddy does not send every colored service to one color\'s Swarm tasks; cutover will not guess which color is live', {
      hint: 'point every handler at one color (cutover status shows which names they carry), then run it again',
    });
  }
  return [...lives][0] as Color | undefined;
}

/**
 * The color one Caddy instance sends the colored services to (by its handlers'
 * `tasks.` names): mixed when they name both, undefined when none names a color.
 * Handlers that cannot be switched are refused (ConfigInvalidError).
 */
export async function readInstanceSwarmColor(admin: CaddyAdmin, project: ProjectConfig): Promise<Color | 'mixed' | undefined> {
  return (await readInstanceSwarmTraffic(admin, project)).live;
}

/**
 * As readInstanceSwarmColor, and whether the instance is in a canary step's
 * weighted state: some handler dials one of `taskAddresses` (per service) as a
 * static upstream. `live` then counts only the handlers on a `tasks.` name.
 */
export async function readInstanceSwarmTraffic(admin: CaddyAdmin, project: ProjectConfig, taskAddresses?: SwarmSwitchExtras['taskAddresses']): Promise<{ live: Color | 'mixed' | undefined; weighted: boolean }> {
  const round = roundFor(project, 'blue', { taskAddresses })((await admin.readConfig('/config/')).value as JsonValue);
  if (!round.ok) throw new ConfigInvalidError(round.problems.map((message) => ({ file: `Caddy config (${admin.address.text})`, path: '', message })));
  return { live: round.plan.live, weighted: round.plan.weighted };
}

/** Per colored service, the address of every task of either color (any state): how a canary step's handlers are recognised. */
export async function swarmTaskAddresses(swarm: SwarmServices, project: ProjectConfig): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const service of servicesOf(project)) {
    const tasks = [...(await swarm.listTasks(swarmServiceName(project.projectName, service, 'blue'))), ...(await swarm.listTasks(swarmServiceName(project.projectName, service, 'green')))];
    out[service] = [...new Set(tasks.flatMap((t) => t.addresses.map((a) => a.address)))];
  }
  return out;
}

/** `address:port` of every running task of `color`, on every port a handler of its service dials: what the drain watches. */
export async function swarmTaskDials(swarm: SwarmServices, project: ProjectConfig, color: Color, plan: SwarmSwitchPlan): Promise<string[]> {
  const dials: string[] = [];
  for (const service of servicesOf(project)) {
    const ports = [...new Set(plan.handlers.filter((h) => h.service === service).map((h) => h.port))];
    const tasks = await swarm.listTasks(swarmServiceName(project.projectName, service, color));
    for (const task of tasks.filter((t) => t.state === 'running')) for (const { address } of task.addresses) for (const port of ports) dials.push(`${address}:${port}`);
  }
  return [...new Set(dials)];
}

/**
 * ONE If-Match change per Caddy instance that points every handler of every
 * colored service at `color`'s `tasks.` names, then the drain: the old color's
 * task addresses (taken before the switch) are watched in
 * /reverse_proxy/upstreams until none has a request in flight, at most
 * DRAIN_TIMEOUT. Caddy lists a dynamically found address only while a request
 * to it is open, so an absent row is a drained one.
 */
export async function switchSwarmColor(
  runtime: Runtime,
  swarm: SwarmServices,
  project: ProjectConfig,
  to: Color,
  from: Color | undefined,
  signal: AbortSignal,
  extras: SwarmSwitchExtras = {},
): Promise<{ plan: SwarmSwitchPlan; drain: DrainResult | undefined }> {
  let oldDials: string[] = [];
  const outcome = await switchTraffic(caddyInstances(runtime), roundFor(project, to, extras), {
    logger: runtime.logger,
    ...(extras.rewriteRoot === undefined ? {} : { rewriteRoot: extras.rewriteRoot }),
    what: `every colored service to ${to} (tasks.${project.projectName}_<service>-${to})`,
    // Read just before the change: the old tasks that can still have requests in flight after it.
    beforeWrite: async (plan) => {
      oldDials = from === undefined ? [] : await swarmTaskDials(swarm, project, from, plan);
    },
  });
  if (from === undefined || oldDials.length === 0) return { plan: outcome.plan, drain: undefined };
  const drain = await drainUpstreams(caddyInstances(runtime), oldDials, { timeoutMs: project.settings.drainTimeoutMs, logger: runtime.logger, signal });
  if (drain.drained) runtime.logger.info({ event: 'drain.done', ms: drain.ms }, `drained ${from} in ${drain.ms} ms`);
  else runtime.logger.warn({ event: 'drain.timeout', remaining: drain.remaining }, `${from} still had requests in flight after DRAIN_TIMEOUT; its services keep running as the standby`);
  return { plan: outcome.plan, drain };
}
