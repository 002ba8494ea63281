import { rm } from 'node:fs/promises';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import { type JsonValue, serversOf } from '../domain/caddy-json.js';
import { planPlain } from '../domain/plan-switch.js';
import { readTraffic } from '../domain/read-traffic.js';
import { stateFilePath } from '../state/state-paths.js';
import { loadProjectForInspection } from './load-project-for-inspection.js';
import { preflight } from './preflight.js';
import type { Runtime } from './runtime.js';
import { stopAndRemove } from './start-color.js';
import { switchTraffic } from './switch-traffic.js';

export interface ResetPlan {
  /** Services Caddy will reach by their plain Compose name again. */
  plain: string[];
  /** Services Caddy reaches by a published host port: left as they are (no plain address exists). */
  unreachable: string[];
  remove: ServiceContainer[];
  stateFile: string;
}

/**
 * `cutover reset`: back to plain Compose mode. Caddy's handlers go back to the
 * plain service names in one change (no preview routes left), every blue and
 * green container is stopped with its grace period and removed, and the state
 * file is deleted. Traffic is served again once the services run under
 * `docker compose up`.
 */
export async function reset(runtime: Runtime, options: { dryRun: boolean; confirm: (plan: ResetPlan) => Promise<boolean> }): Promise<{ plan: ResetPlan; done: boolean }> {
  const project = await loadProjectForInspection(runtime);
  const { lock, observation } = await preflight(runtime, project, { command: 'reset', dryRun: options.dryRun });
  try {
    const preview = planPlain(observation.traffic, serversOf(observation.caddyConfig));
    const colored = new Set(project.colored.map((s) => s.name));
    const plan: ResetPlan = {
      plain: preview.plain,
      unreachable: preview.unreachable,
      remove: observation.containers.filter((c) => c.color !== undefined && colored.has(c.service)),
      stateFile: stateFilePath(runtime.stateDir),
    };
    if (options.dryRun || !(await options.confirm(plan))) return { plan, done: false };
    await switchTraffic(
      runtime.admin,
      (config: JsonValue) => {
        const read = readTraffic(config, project.colored, observation.instances);
        if (!read.ok) return read;
        const next = planPlain(read.view, serversOf(config));
        return { ok: true, servers: next.servers, unchanged: next.unchanged, plan: next };
      },
      { logger: runtime.logger, what: 'uses the plain Compose names' },
    );
    await stopAndRemove(runtime, project, plan.remove);
    await rm(plan.stateFile, { force: true });
    runtime.logger.info({ event: 'reset.done', removed: plan.remove.map((c) => c.name) }, `removed ${plan.remove.length} container(s) and the state file`);
    return { plan, done: true };
  } finally {
    await lock?.release();
  }
}
