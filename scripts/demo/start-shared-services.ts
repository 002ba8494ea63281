/**
 * Starts a project's shared services (the database, the Caddy proxy) the way
 * a deploy starts a missing one: from the loaded ProjectConfig, with cutover's
 * own Docker adapter, so no `docker compose` is needed. A shared service that
 * already has a container (running or not) is left alone, as a deploy would.
 *
 * A deploy reads Caddy before anything else, so whoever sets up a stack where
 * Caddy is itself a shared service (the demo, the container-mode test) starts
 * it with this first.
 */
import type { ProjectConfig } from '../../src/config/model.js';
import type { Runtime } from '../../src/run/runtime.js';
import { ensureProjectResources, startService } from '../../src/run/start-color.js';

export interface SharedServiceStart {
  service: string;
  /** False when the service already had a container, which was left as it was. */
  started: boolean;
  containers: string[];
}

export async function startSharedServices(
  runtime: Runtime,
  project: ProjectConfig,
  options: { only?: readonly string[] } = {},
): Promise<SharedServiceStart[]> {
  await ensureProjectResources(runtime, project);
  const specs = project.shared.filter((spec) => options.only === undefined || options.only.includes(spec.name));
  const present = await runtime.docker.findSharedContainers(project.projectName, specs);
  const results: SharedServiceStart[] = [];
  for (const spec of specs) {
    const existing = present.find((p) => p.service === spec.name)?.containers ?? [];
    if (existing.length > 0) {
      results.push({ service: spec.name, started: false, containers: existing.map((c) => `${c.name} (${c.state})`) });
      continue;
    }
    // A shared service has no version of its own; the label says so.
    const containers = await startService(runtime, project, spec, undefined, 'shared');
    runtime.logger.info({ event: 'shared.started', service: spec.name, containers: containers.map((c) => c.name) }, `started shared service ${spec.name}: ${containers.map((c) => c.name).join(', ')}`);
    results.push({ service: spec.name, started: true, containers: containers.map((c) => c.name) });
  }
  return results;
}
