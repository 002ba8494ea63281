import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { settleAll } from './settle-all.js';

/**
 * Stops containers with SIGTERM and waits up to `graceMs` (rounded up to whole
 * seconds, Docker's unit) before SIGKILL. Always passes the grace period:
 * Docker's own default of 10 s killed requests the app was still finishing.
 * Containers already stopped or gone count as stopped.
 */
export async function stopContainers(ctx: DockerContext, ids: readonly string[], graceMs: number): Promise<void> {
  const seconds = Math.ceil(Math.max(0, graceMs) / 1000);
  await settleAll(ids, 'stopping', async (id) => {
    try {
      await ctx.docker.getContainer(id).stop({ t: seconds });
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status === 304 || status === 404) return; // already stopped / already gone
      throw toDockerError(err, `stopping container ${id.slice(0, 12)}`, ctx.endpoint);
    }
  });
}
