import type Docker from 'dockerode';
import type { ServiceSpec } from '../../config/model.js';
import type { DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';
import { LABEL } from './docker-labels.js';
import { retryRead } from './retry-read.js';

/** A shared service and the containers it already has, however they were made. */
export interface SharedServicePresence {
  service: string;
  containers: Array<{ id: string; name: string; state: string }>;
}

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';

/**
 * Finds the containers of shared services, running or not: made by cutover
 * (its labels), by `docker compose up` (Compose's labels) or by hand under the
 * service's container_name. A shared service with any container is left alone:
 * a deploy never recreates shared services.
 */
export async function findSharedContainers(ctx: DockerContext, project: string, specs: readonly ServiceSpec[]): Promise<SharedServicePresence[]> {
  let all: Docker.ContainerInfo[];
  try {
    all = await retryRead(() => ctx.docker.listContainers({ all: true }));
  } catch (err) {
    throw toDockerError(err, 'listing containers', ctx.endpoint);
  }
  return specs.map((spec) => ({
    service: spec.name,
    containers: all
      .filter((c) => {
        const labels = c.Labels ?? {};
        const byCutover = labels[LABEL.project] === project && labels[LABEL.service] === spec.name && labels[LABEL.color] === undefined;
        const byCompose = labels[COMPOSE_PROJECT] === project && labels[COMPOSE_SERVICE] === spec.name;
        const byName = spec.containerName !== undefined && c.Names.includes(`/${spec.containerName}`);
        return byCutover || byCompose || byName;
      })
      .map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), state: c.State })),
  }));
}
