import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { Color, ProjectConfig } from '../config/model.js';
import type { ServiceImages } from '../domain/image-identity.js';
import { DockerOperationError } from '../errors.js';
import type { Runtime } from './runtime.js';

/**
 * Resolves each colored service's image in `color` (as the compose files name
 * it) to its identity on this engine. Runs after the pull, so a missing image
 * is a bug of the plan or someone removing it right now.
 */
export async function resolveServiceImages(runtime: Runtime, project: ProjectConfig, color: Color): Promise<ServiceImages> {
  const images: ServiceImages = {};
  for (const service of project.colored) {
    const ref = service.byColor[color].image;
    const identity = await runtime.docker.resolveImageIdentity(ref);
    if (identity === undefined) {
      throw new DockerOperationError(`image ${ref} of ${service.name} is not on this Docker engine (removed during the deploy?); nothing was changed`, {
        hint: 'run the deploy again',
      });
    }
    images[service.name] = identity;
  }
  return images;
}

/**
 * What the containers of `color` run, per service (the first replica's; they
 * are started together): the recorded identity when it is still the image the
 * container runs, else what the container's labels and image ID say. A
 * container without cutover's image labels (started by an older cutover) is
 * looked up by its image ID, taking the digest of the repository it was
 * created from, so that a rollback to it can still pull it by digest.
 */
export async function identitiesOfContainers(runtime: Runtime, containers: readonly ServiceContainer[], project: ProjectConfig, color: Color, recorded: ServiceImages | undefined): Promise<ServiceImages> {
  const images: ServiceImages = {};
  for (const service of project.colored) {
    const container = containers.find((c) => c.color === color && c.service === service.name);
    if (container === undefined || !container.imageId.startsWith('sha256:')) continue;
    const known = recorded?.[service.name];
    if (known !== undefined && known.id === container.imageId) images[service.name] = known;
    else if (container.imageRef !== undefined) images[service.name] = { ref: container.imageRef, id: container.imageId, digest: container.imageDigest ?? null };
    else images[service.name] = (await runtime.docker.resolveImageIdentity(container.imageId, container.image)) ?? { ref: container.image, id: container.imageId, digest: null };
  }
  return images;
}

/** Per service, the image IDs the containers of `color` run. */
export function imageIdsOf(containers: readonly ServiceContainer[], color: Color): Record<string, string[]> {
  const ids: Record<string, string[]> = {};
  for (const c of containers) if (c.color === color) ids[c.service] = [...(ids[c.service] ?? []), c.imageId];
  return ids;
}
