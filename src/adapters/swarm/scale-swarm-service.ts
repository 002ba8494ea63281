import type { DockerContext } from '../docker/docker-client.js';
import { toDockerError } from '../docker/docker-failure.js';

interface RawServiceInspect {
  Version?: { Index?: number };
  Spec?: Record<string, unknown>;
}

/**
 * Sets a replicated Swarm service's replicas (its spec otherwise unchanged),
 * guarded by the spec's version index as Swarm requires. Never retried: a
 * second update with the old index would be refused, and the caller must see
 * the first failure.
 */
export async function scaleSwarmService(ctx: DockerContext, serviceName: string, replicas: number): Promise<void> {
  const service = ctx.docker.getService(serviceName);
  try {
    const current = (await service.inspect()) as RawServiceInspect;
    await service.update({ version: current.Version?.Index ?? 0, ...(current.Spec ?? {}), Mode: { Replicated: { Replicas: replicas } } });
    ctx.logger.debug({ event: 'swarm.service.scaled', service: serviceName, replicas }, `scaled Swarm service ${serviceName} to ${replicas}`);
  } catch (err) {
    throw toDockerError(err, `scaling Swarm service ${serviceName} to ${replicas}`, ctx.endpoint);
  }
}
