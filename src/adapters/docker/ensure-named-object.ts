import { DockerOperationError } from '../../errors.js';
import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

/** How to reach a named network or volume in the engine. */
export interface NamedObjectCalls {
  inspect(): Promise<unknown>;
  create(): Promise<unknown>;
}

/**
 * Makes sure a named network or volume exists, the way Compose does before it
 * starts containers that use it. An external one belongs to someone else, so
 * its absence is an error with a hint, never a reason to create it. Returns
 * whether it was created now. The inspect is a read and retried; the create
 * is not.
 */
export async function ensureNamedObject(ctx: DockerContext, kind: 'network' | 'volume', spec: { name: string; external: boolean }, calls: NamedObjectCalls): Promise<{ created: boolean }> {
  const { name } = spec;
  try {
    await retryRead(() => calls.inspect());
    return { created: false };
  } catch (err) {
    if (dockerStatusCode(err) !== 404) throw toDockerError(err, `inspecting ${kind} ${name}`, ctx.endpoint);
  }
  if (spec.external) {
    throw new DockerOperationError(`external ${kind} ${name} does not exist`, {
      hint: `Create it (\`docker ${kind} create ${name}\`) or start the stack's shared services first (\`docker compose up -d\`).`,
    });
  }
  try {
    await calls.create();
    ctx.logger.debug({ event: `docker.${kind}.created`, [kind]: name }, `created ${kind} ${name}`);
    return { created: true };
  } catch (err) {
    // Someone else created it between our inspect and create (a network answers 409; a volume that exists is no error): it exists, which is all we need.
    if (dockerStatusCode(err) === 409) return { created: false };
    throw toDockerError(err, `creating ${kind} ${name}`, ctx.endpoint);
  }
}
