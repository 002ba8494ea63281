import type { Color, PortMapping, ServiceSpec } from '../../config/model.js';
import type { DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';
import { engineForCreate } from './engine-for-create.js';
import { endpointConfig, planContainer } from './plan-container.js';
import { inspectServiceContainer } from './list-service-containers.js';
import type { ServiceContainer } from './service-container.js';

export interface StartServiceColorRequest {
  /** Compose project name; becomes the `cutover.project` label and part of default container names. */
  project: string;
  spec: ServiceSpec;
  /** undefined starts a shared service (no color label, no color in the default name). */
  color: Color | undefined;
  /** The version being deployed (the `cutover.version` label). The image is taken from spec.image as given. */
  version: string;
  /** Network key → network name in Docker, for every network the spec attaches to. */
  networks: Record<string, string>;
  /** Volume key → volume name in Docker, for every named volume the spec mounts. */
  volumes: Record<string, string>;
  extraLabels?: Record<string, string> | undefined;
  /**
   * Published ports; default: the spec's. A fixed host port cannot be held by
   * blue and green at once: the caller decides whether to drop it (pass the
   * ports without hostPort) or keep it (and stop the other color first).
   */
  ports?: PortMapping[] | undefined;
}

/**
 * Creates and starts every replica of one service in one color. All or nothing:
 * when any step fails, the containers made by this call are removed again, so
 * a failed start never leaves a half color holding names, ports or volumes.
 */
export async function startServiceColor(ctx: DockerContext, request: StartServiceColorRequest): Promise<ServiceContainer[]> {
  const created: Array<{ id: string; name: string }> = [];
  const creator = await engineForCreate(ctx, request.spec);
  try {
    for (let replica = 1; replica <= request.spec.replicas; replica += 1) {
      const plan = planContainer({ ...request, replica });
      let id: string;
      try {
        id = (await creator.createContainer(plan.create)).id;
      } catch (err) {
        throw toDockerError(err, `creating container ${plan.name}`, ctx.endpoint);
      }
      created.push({ id, name: plan.name });
      for (const extra of plan.connectBeforeStart) {
        try {
          await ctx.docker.getNetwork(extra.network).connect({ Container: id, EndpointConfig: endpointConfig(extra) });
        } catch (err) {
          throw toDockerError(err, `connecting container ${plan.name} to network ${extra.network}`, ctx.endpoint);
        }
      }
    }
    for (const { id, name } of created) {
      try {
        await ctx.docker.getContainer(id).start();
      } catch (err) {
        throw toDockerError(err, `starting container ${name}`, ctx.endpoint);
      }
      ctx.logger.debug({ event: 'docker.container.started', container: name, id }, `started ${name}`);
    }
  } catch (err) {
    await removeCreated(ctx, created);
    throw err;
  }
  const containers = await Promise.all(created.map(({ id }) => inspectServiceContainer(ctx, id)));
  return containers.filter((c): c is ServiceContainer => c !== undefined);
}

async function removeCreated(ctx: DockerContext, created: Array<{ id: string; name: string }>): Promise<void> {
  for (const { id, name } of created) {
    try {
      await ctx.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      // The original failure is what the user must see; this one is only logged.
      ctx.logger.warn({ event: 'docker.container.undo-failed', container: name, err }, `could not remove ${name} after a failed start; remove it by hand`);
    }
  }
}
