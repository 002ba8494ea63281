import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import type { SwarmServices } from '../adapters/swarm/swarm-services.js';
import type { Color, ProjectConfig } from '../config/model.js';
import type { JsonValue } from '../domain/caddy-json.js';
import { planSwarmSwitch, type SwarmSwitchPlan } from '../domain/plan-swarm-switch.js';
import { swarmServiceName } from '../domain/swarm-service-name.js';
import { ConfigInvalidError, OperationFailedError } from '../errors.js';
import { type DrainResult, drainUpstreams } from './drain-upstreams.js';
import { caddyInstances, type Runtime } from './runtime.js';
import { switchTraffic, type SwitchRound } from './switch-traffic.js';

const servicesOf = (project: ProjectConfig) => project.colored.map((s) => s.name);

/** Plans over one Caddy config, as a round of switchTraffic wants it. */
function roundFor(project: ProjectConfig, color: Color): (config: JsonValue) => SwitchRound<SwarmSwitchPlan> {
  return (config) => {
    const planned = planSwarmSwitch(config, { project: project.projectName, services: servicesOf(project), color });
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
  const round = roundFor(project, 'blue')((await admin.readConfig('/config/')).value as JsonValue);
  if (!round.ok) throw new ConfigInvalidError(round.problems.map((message) => ({ file: `Caddy config (${admin.address.text})`, path: '', message })));
  return round.plan.live;
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
): Promise<{ plan: SwarmSwitchPlan; drain: DrainResult | undefined }> {
  let oldDials: string[] = [];
  const outcome = await switchTraffic(caddyInstances(runtime), roundFor(project, to), {
    logger: runtime.logger,
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
