import type Docker from 'dockerode';
import type { SwarmServiceSpec } from '../../domain/swarm-service-spec.js';
import type { DockerContext } from '../docker/docker-client.js';
import { toDockerError } from '../docker/docker-failure.js';

/**
 * Creates a color's Swarm service as planned (swarm-service-spec.ts) and
 * returns its id. Never retried: a second create of the same name would be
 * refused, and the caller must see the first failure.
 */
export async function createSwarmService(ctx: DockerContext, spec: SwarmServiceSpec): Promise<string> {
  try {
    const service = await ctx.docker.createService(spec as unknown as Docker.CreateServiceOptions);
    ctx.logger.debug({ event: 'swarm.service.created', service: spec.Name, id: service.id }, `created Swarm service ${spec.Name}`);
    return service.id;
  } catch (err) {
    throw toDockerError(err, `creating Swarm service ${spec.Name}`, ctx.endpoint);
  }
}
