import type { Color, ProjectConfig } from '../config/model.js';
import { type JsonValue, serversOf } from '../domain/caddy-json.js';
import { planSwitch, type SwitchOptions, type SwitchPlan } from '../domain/plan-switch.js';
import { readTraffic } from '../domain/read-traffic.js';
import { colorInstances } from './observe-project.js';
import type { Runtime } from './runtime.js';
import { switchTraffic, type SwitchOutcome } from './switch-traffic.js';

/**
 * Sends every colored service to `color` (or, with `options.split`, a weighted
 * share of it) in one guarded change, planned over Caddy's config as it is at
 * that moment and re-planned on a 412. Host-mode dials come from the
 * containers as they run now (ephemeral ports).
 */
export async function switchAll(runtime: Runtime, project: ProjectConfig, color: Color, what: string, options: SwitchOptions): Promise<SwitchOutcome<SwitchPlan>> {
  const instances = colorInstances(await runtime.docker.listContainers({ project: project.projectName }));
  return switchTraffic(
    runtime.admin,
    (config: JsonValue) => {
      const read = readTraffic(config, project.colored, instances);
      if (!read.ok) return read;
      const result = planSwitch(read.view, color, instances, serversOf(config), options);
      return result.ok ? { ok: true, servers: result.plan.servers, unchanged: result.plan.unchanged, plan: result.plan } : result;
    },
    { logger: runtime.logger, what, ...(runtime.beforeSwitchWrite === undefined ? {} : { beforeWrite: runtime.beforeSwitchWrite }) },
  );
}
