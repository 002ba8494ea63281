import { UsageError } from '../errors.js';
import { DIGEST } from './image-reference.js';

/** Docker's rule for a tag: up to 128 of [A-Za-z0-9_.-], not starting with `.` or `-`. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * The version to deploy becomes an image tag (through ${VERSION}) and a label,
 * so it must be a valid tag, or a digest (`sha256:` and 64 hex digits) for
 * compose files that write `image: name@${VERSION}`; anything else is refused
 * before any side effect.
 */
export function validateVersion(version: string): string {
  if (version.startsWith('sha256:') && !DIGEST.test(version)) {
    throw new UsageError(`version ${JSON.stringify(version)} is not a valid digest`, { hint: 'a digest is sha256: followed by 64 lowercase hex digits (docker images --digests shows them)' });
  }
  if (!TAG.test(version) && !DIGEST.test(version)) {
    const shown = JSON.stringify(version.length > 60 ? `${version.slice(0, 60)}...` : version);
    throw new UsageError(`version ${shown} is not a valid image tag`, {
      hint: 'use letters, digits, _ . - (at most 128, not starting with . or -), e.g. v1.4.2 or latest; or a digest sha256:<64 hex>',
    });
  }
  return version;
}
