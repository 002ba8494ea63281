import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { settleAll } from './settle-all.js';

/**
 * Removes containers, with their anonymous volumes (never named ones). Without
 * `force` a running container is refused, so a serving color is not removed
 * by mistake. Containers already gone, or being removed, count as removed.
 */
export async function removeContainers(ctx: DockerContext, ids: readonly string[], options: { force?: boolean } = {}): Promise<void> {
  await settleAll(ids, 'removing', async (id) => {
    try {
      await ctx.docker.getContainer(id).remove({ force: options.force === true, v: true });
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status === 404) return;
      // 409 is both "running, stop it first" and "removal already in progress"; the state tells which.
      if (status === 409 && (await isGoneOrRemoving(ctx, id))) return;
      throw toDockerError(err, `removing container ${id.slice(0, 12)}`, ctx.endpoint);
    }
  });
}

async function isGoneOrRemoving(ctx: DockerContext, id: string): Promise<boolean> {
  try {
    return (await ctx.docker.getContainer(id).inspect()).State.Status === 'removing';
  } catch (err) {
    return dockerStatusCode(err) === 404;
  }
}
