import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

/** Whether the engine has this image locally. */
export async function imageExists(ctx: DockerContext, ref: string): Promise<boolean> {
  try {
    await retryRead(() => ctx.docker.getImage(ref).inspect());
    return true;
  } catch (err) {
    if (dockerStatusCode(err) === 404) return false;
    throw toDockerError(err, `inspecting image ${ref}`, ctx.endpoint);
  }
}
