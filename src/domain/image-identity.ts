import type { ImageIdentity, ServiceImages } from '../state/state-schema.js';
import { digestReference, parseImageReference } from './image-reference.js';

export type { ImageIdentity, ServiceImages };

/**
 * Pure: the reference that starts exactly this image again: `repo@sha256:...`
 * when it came from a registry (works on any host that can pull it), else the
 * local image ID (only on the host that has it). Never the tag.
 */
export function pinnedReference(identity: ImageIdentity): string {
  if (identity.digest === null) return identity.id;
  const parsed = parseImageReference(identity.ref);
  return parsed === undefined ? identity.id : digestReference(parsed.repository, identity.digest);
}

/** `sha256:0123456789ab`: the first 12 hex digits, as `docker images` shows IDs. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

/** One line for people: `repo:latest@sha256:0123456789ab`, or `repo:dev (local image sha256:0123456789ab)`. */
export function describeIdentity(identity: ImageIdentity): string {
  if (identity.digest !== null) {
    const parsed = parseImageReference(identity.ref);
    // A digest reference already names its digest: show it short.
    if (parsed?.digest !== undefined) return `${parsed.repository}@${shortDigest(parsed.digest)}`;
    return `${identity.ref}@${shortDigest(identity.digest)}`;
  }
  return `${identity.ref} (local image ${shortDigest(identity.id)})`;
}

/**
 * Pure: whether the images about to be deployed are the ones that run live,
 * compared by image ID (what a container really runs; equal digests give equal
 * IDs). `live` holds, per service, the image ID of every live container; a
 * service with no live container, or with containers on different images,
 * is a change.
 */
export function sameIdentities(live: Readonly<Record<string, readonly string[]>>, next: ServiceImages): boolean {
  const services = Object.keys(next);
  if (services.length === 0) return false;
  return services.every((service) => {
    const ids = live[service] ?? [];
    return ids.length > 0 && ids.every((id) => id === next[service]?.id);
  });
}
