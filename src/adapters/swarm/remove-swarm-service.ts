import type { DockerContext } from '../docker/docker-client.js';
import { dockerStatusCode, toDockerError } from '../docker/docker-failure.js';

/**
 * Removes a color's Swarm service; Swarm then stops its tasks on every node,
 * each with the service's stop grace period. A service that is already gone is
 * fine (removing is what an undo repeats). Returns whether it existed.
 */
export async function removeSwarmService(ctx: DockerContext, serviceName: string): Promise<boolean> {
  try {
    await ctx.docker.getService(serviceName).remove();
    ctx.logger.debug({ event: 'swarm.service.removed', service: serviceName }, `removed Swarm service ${serviceName}`);
    return true;
  } catch (err) {
    if (dockerStatusCode(err) === 404) return false;
    throw toDockerError(err, `removing Swarm service ${serviceName}`, ctx.endpoint);
  }
}
