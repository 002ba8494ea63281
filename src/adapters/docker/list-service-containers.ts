import type Docker from 'dockerode';
import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { labelFilters, type ContainerSelector } from './docker-labels.js';
import { retryRead } from './retry-read.js';
import { toServiceContainer, type ServiceContainer } from './service-container.js';

/** Inspects one container; undefined when it no longer exists. */
export async function inspectServiceContainer(ctx: DockerContext, id: string): Promise<ServiceContainer | undefined> {
  let info: Docker.ContainerInspectInfo;
  try {
    info = await retryRead(() => ctx.docker.getContainer(id).inspect());
  } catch (err) {
    if (dockerStatusCode(err) === 404) return undefined;
    throw toDockerError(err, `inspecting container ${id.slice(0, 12)}`, ctx.endpoint);
  }
  return toServiceContainer(info);
}

/**
 * cutover's containers of a project (optionally one service and color), running
 * or not, sorted by service, color and replica. Each is inspected, because only
 * inspect tells health and network aliases.
 */
export async function listServiceContainers(ctx: DockerContext, selector: ContainerSelector): Promise<ServiceContainer[]> {
  let summaries: Docker.ContainerInfo[];
  try {
    summaries = await retryRead(() => ctx.docker.listContainers({ all: true, filters: { label: labelFilters(selector) } }));
  } catch (err) {
    throw toDockerError(err, `listing the containers of project ${selector.project}`, ctx.endpoint);
  }
  // A container removed between list and inspect is simply not there any more.
  const found = await Promise.all(summaries.map((summary) => inspectServiceContainer(ctx, summary.Id)));
  return found
    .filter((c): c is ServiceContainer => c !== undefined)
    .sort((a, b) => a.service.localeCompare(b.service) || (a.color ?? '').localeCompare(b.color ?? '') || a.replica - b.replica);
}
