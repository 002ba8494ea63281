import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { settleAll } from './settle-all.js';

/** Starts existing containers; one already running counts as started. */
export async function startContainers(ctx: DockerContext, ids: readonly string[]): Promise<void> {
  await settleAll(ids, 'starting', async (id) => {
    try {
      await ctx.docker.getContainer(id).start();
    } catch (err) {
      if (dockerStatusCode(err) === 304) return; // already running
      throw toDockerError(err, `starting container ${id.slice(0, 12)}`, ctx.endpoint);
    }
  });
}
