import type { DockerContext } from '../docker/docker-client.js';
import { toDockerError } from '../docker/docker-failure.js';
import { retryRead } from '../docker/retry-read.js';

/** A network's scope (`local`, `swarm`, `global`) by name; undefined when the engine has no such network. */
export async function readNetworkScope(ctx: DockerContext, name: string): Promise<string | undefined> {
  try {
    const info = (await retryRead(() => ctx.docker.getNetwork(name).inspect())) as { Scope?: string };
    return info.Scope ?? 'local';
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw toDockerError(err, `inspecting network ${name}`, ctx.endpoint);
  }
}
