import type { ImageIdentity } from '../../domain/image-identity.js';
import { parseImageReference } from '../../domain/image-reference.js';
import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

/** `docker.io/library/postgres` and `postgres` are one repository; Docker lists the short form. */
function familiar(repository: string): string {
  return repository.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
}

/**
 * The identity of the image `ref` names on this engine: its image ID and,
 * when it came from a registry, the repository digest of `ref`'s repository
 * (from the image's RepoDigests; a digest reference is its own digest).
 * undefined when the engine does not have the image.
 *
 * `named`: look the image up by `ref` (e.g. an image ID) but report it under
 * this reference and take the digest of its repository, for a container
 * whose image is known by ID and by the reference it was created from.
 */
export async function resolveImageIdentity(ctx: DockerContext, ref: string, named: string = ref): Promise<ImageIdentity | undefined> {
  let info: { Id: string; RepoDigests?: string[] };
  try {
    info = await retryRead(() => ctx.docker.getImage(ref).inspect());
  } catch (err) {
    if (dockerStatusCode(err) === 404) return undefined;
    throw toDockerError(err, `inspecting image ${ref}`, ctx.endpoint);
  }
  const parsed = parseImageReference(named);
  let digest: string | null = parsed?.digest ?? null;
  if (digest === null && parsed !== undefined) {
    const wanted = familiar(parsed.repository);
    const match = (info.RepoDigests ?? []).find((entry) => familiar(entry.slice(0, entry.lastIndexOf('@'))) === wanted);
    digest = match === undefined ? null : match.slice(match.lastIndexOf('@') + 1);
  }
  return { ref: named, id: info.Id, digest };
}
