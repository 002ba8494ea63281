import type { VolumeSpec } from '../../config/model.js';
import { DockerOperationError } from '../../errors.js';
import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

/**
 * Makes sure a named volume exists. External volumes hold someone else's data
 * and are never created here: their absence is an error with a hint.
 * Returns whether it was created now.
 */
export async function ensureVolume(ctx: DockerContext, spec: VolumeSpec, labels: Record<string, string> = {}): Promise<{ created: boolean }> {
  try {
    await retryRead(() => ctx.docker.getVolume(spec.name).inspect());
    return { created: false };
  } catch (err) {
    if (dockerStatusCode(err) !== 404) throw toDockerError(err, `inspecting volume ${spec.name}`, ctx.endpoint);
  }
  if (spec.external) {
    throw new DockerOperationError(`external volume ${spec.name} does not exist`, {
      hint: `Create it (\`docker volume create ${spec.name}\`) or start the stack's shared services first (\`docker compose up -d\`).`,
    });
  }
  try {
    // Creating a volume that exists is not an error in Docker, so a race here is harmless.
    await ctx.docker.createVolume({ Name: spec.name, Driver: spec.driver ?? 'local', Labels: labels });
    ctx.logger.debug({ event: 'docker.volume.created', volume: spec.name }, `created volume ${spec.name}`);
    return { created: true };
  } catch (err) {
    throw toDockerError(err, `creating volume ${spec.name}`, ctx.endpoint);
  }
}
