/**
 * Pure: an image reference as Docker reads it, `[registry/]path[:tag][@digest]`.
 * Only what cutover needs to tell apart: the repository (everything before the
 * tag or digest), the tag, and the digest.
 */
export interface ImageReference {
  /** `127.0.0.1:5000/team/app`, `ghcr.io/acme/platform`, `postgres`. */
  repository: string;
  tag: string | undefined;
  /** `sha256:<64 hex>`. */
  digest: string | undefined;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY = /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A repository digest, as Docker prints it. Other algorithms exist in the spec; registries use sha256. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The parts of `ref`, or undefined when Docker would refuse it (e.g. `repo:sha256:...`). */
export function parseImageReference(ref: string): ImageReference | undefined {
  const at = ref.indexOf('@');
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  const named = at < 0 ? ref : ref.slice(0, at);
  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash + 1);
  const repository = colon < 0 ? named : named.slice(0, colon);
  const tag = colon < 0 ? undefined : named.slice(colon + 1);
  if (tag !== undefined && !TAG.test(tag)) return undefined;
  const parts = repository.split('/');
  // The first part is a registry when it looks like a host (a dot, a port, or localhost) and more parts follow.
  const [first = '', ...rest] = parts;
  const hasRegistry = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (hasRegistry && !REGISTRY.test(first)) return undefined;
  const path = hasRegistry ? rest : parts;
  if (path.length === 0 || !path.every((p) => COMPONENT.test(p))) return undefined;
  return { repository, tag, digest };
}

/** `repository@digest`: the reference that names exactly one image in any registry and on any host that has it. */
export function digestReference(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}
