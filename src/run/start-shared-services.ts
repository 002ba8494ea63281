import type { ProjectConfig } from '../config/model.js';
import type { PullPolicy } from '../domain/plan-deploy.js';
import { CaddyUnavailableError, ConfigInvalidError } from '../errors.js';
import type { Runtime } from './runtime.js';
import { ensureProjectResources, startService } from './start-color.js';
import { sleep } from '../sleep.js';

const CADDY_START_TIMEOUT_MS = 30_000;

/**
 * Refuses when a shared service has no container and uses compose keys that
 * cutover does not apply: a deploy would have to start it, and could not as
 * written. `present`: the shared services that have a container.
 */
export function checkSharedServicesStartable(project: ProjectConfig, present: ReadonlySet<string>): void {
  const unappliable = project.shared.filter((spec) => !present.has(spec.name) && (spec.unappliedKeys ?? []).length > 0);
  if (unappliable.length > 0) {
    throw new ConfigInvalidError(
      unappliable.map((spec) => ({
        file: 'compose.yml',
        path: `services.${spec.name}`,
        message: `has no container, and cutover cannot start it as written: it uses ${spec.unappliedKeys?.join(', ')}, which cutover does not apply`,
      })),
      { hint: `start it with docker compose up -d ${unappliable.map((s) => s.name).join(' ')}; a deploy never touches a shared service that has a container` },
    );
  }
}

/**
 * Starts the shared services that have no container at all (on a fresh host,
 * the proxy and the database), and never touches one that has: a deploy does
 * not recreate shared services. Runs before Caddy is read, because Caddy may
 * be one of them; when it started any, it waits until Caddy's admin answers.
 */
export async function startAbsentSharedServices(runtime: Runtime, project: ProjectConfig, pull: PullPolicy): Promise<string[]> {
  await runtime.docker.ping();
  const presence = await runtime.docker.findSharedContainers(project.projectName, project.shared);
  const absent = project.shared.filter((spec) => presence.find((p) => p.service === spec.name)?.containers.length === 0);
  if (absent.length === 0) return [];
  checkSharedServicesStartable(project, new Set(presence.filter((p) => p.containers.length > 0).map((p) => p.service)));
  for (const spec of absent) {
    const present = await runtime.docker.imageExists(spec.image);
    if (pull === 'always' || (pull === 'missing' && !present)) {
      runtime.logger.info({ event: 'pull.start', image: spec.image }, `pull ${spec.image} for shared service ${spec.name}`);
      await runtime.docker.pullImage(spec.image);
    } else if (!present) {
      throw new ConfigInvalidError([{ file: 'deploy plan', path: '', message: `image ${spec.image} of shared service ${spec.name} is not on this Docker engine and --pull never forbids pulling it` }]);
    }
  }
  await ensureProjectResources(runtime, project);
  for (const spec of absent) {
    await startService(runtime, project, spec, undefined, 'shared');
    runtime.logger.info({ event: 'shared.started', service: spec.name }, `started shared service ${spec.name} (it had no container)`);
  }
  await waitForCaddyAdmin(runtime);
  return absent.map((s) => s.name);
}

async function waitForCaddyAdmin(runtime: Runtime): Promise<void> {
  const deadline = Date.now() + CADDY_START_TIMEOUT_MS;
  for (;;) {
    try {
      await runtime.admin.readConfig('/config/');
      return;
    } catch (error) {
      if (!(error instanceof CaddyUnavailableError) || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}
