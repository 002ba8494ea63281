import type { ProjectConfig } from '../config/model.js';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { JsonValue } from '../domain/caddy-json.js';
import { colorDials, type ServiceColorDials } from '../domain/color-dials.js';
import { colorInstances, trafficOf } from './observe-project.js';
import { caddyInstances, type Runtime } from './runtime.js';

/**
 * Each Caddy instance's dials per service and color, read from its own config
 * (instances may reach a color by other dials: docs/multi-instance.md), in the
 * order of the instances. What a drain waits on, before a switch's old color
 * or an undo's new color goes.
 */
export async function readInstanceColorDials(runtime: Runtime, project: ProjectConfig, containers: readonly ServiceContainer[]): Promise<ServiceColorDials[][]> {
  const instances = colorInstances(containers);
  const configs = await Promise.all(caddyInstances(runtime).map(async (admin) => (await admin.readConfig('/config/')).value as JsonValue));
  return configs.map((config) => colorDials(trafficOf(runtime, config, project.colored, instances), instances));
}
