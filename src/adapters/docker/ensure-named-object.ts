import { DockerOperationError } from '../../errors.js';
import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

/** A network or a volume: what ensureNamedObject needs to know of it. */
export interface NamedObject {
  kind: 'network' | 'volume';
  name: string;
  /** Someone else's (usually the stack's `docker compose up`): never created here. */
  external: boolean;
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
export async function ensureNamedObject(ctx: DockerContext, object: NamedObject): Promise<{ created: boolean }> {
  const { kind, name } = object;
  try {
    await retryRead(() => object.inspect());
    return { created: false };
  } catch (err) {
    if (dockerStatusCode(err) !== 404) throw toDockerError(err, `inspecting ${kind} ${name}`, ctx.endpoint);
  }
  if (object.external) {
    throw new DockerOperationError(`external ${kind} ${name} does not exist`, {
      hint: `Create it (\`docker ${kind} create ${name}\`) or start the stack's shared services first (\`docker compose up -d\`).`,
    });
  }
  try {
    await object.create();
    ctx.logger.debug({ event: `docker.${kind}.created`, [kind]: name }, `created ${kind} ${name}`);
    return { created: true };
  } catch (err) {
    // Someone else created it between our inspect and create (a network answers 409; a volume that exists is no error): it exists, which is all we need.
    if (dockerStatusCode(err) === 409) return { created: false };
    throw toDockerError(err, `creating ${kind} ${name}`, ctx.endpoint);
  }
}
