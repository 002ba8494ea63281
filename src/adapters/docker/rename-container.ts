import type { DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';

/** Gives a container another name; a no-op when it already has that name. */
export async function renameContainer(ctx: DockerContext, id: string, name: string): Promise<void> {
  try {
    const info = await ctx.docker.getContainer(id).inspect();
    if (info.Name.replace(/^\//, '') === name) return;
    await ctx.docker.getContainer(id).rename({ name });
  } catch (err) {
    throw toDockerError(err, `renaming container ${id.slice(0, 12)} to ${name}`, ctx.endpoint);
  }
}
