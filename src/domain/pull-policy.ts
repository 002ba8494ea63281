import { parseImageReference } from './image-reference.js';

export type PullPolicy = 'always' | 'missing' | 'never';

/**
 * A tag that looks like a version: an optional `v`, a number, more
 * dot-separated numbers, and optionally a suffix after `-`, `+`, `_` or `.`
 * (`v1`, `1.4.2`, `v2.0.0-rc.1`, `2024.05.01`, `16-alpine`); or a commit id
 * (7 to 64 hex digits, optionally `sha-` first). Such a tag is taken to name
 * one build for good.
 */
const VERSION_TAG = /^v?\d+(?:\.\d+)*(?:[-+_.][0-9A-Za-z][0-9A-Za-z._+-]*)?$/;
const COMMIT_TAG = /^(?:sha-)?[0-9a-f]{7,64}$/;

/**
 * Pure: whether `ref` uses a moving tag, one a registry may point at another
 * build at any time: `latest`, no tag at all (which Docker reads as
 * `latest`), or any tag not shaped like a version or a commit id (`main`,
 * `stable`, `edge`, `prod`). A digest reference never moves. An unparsable
 * reference counts as not moving: Docker reports it when it is used.
 */
export function isMovingTag(ref: string): boolean {
  const parsed = parseImageReference(ref);
  if (parsed === undefined || parsed.digest !== undefined) return false;
  if (parsed.tag === undefined) return true;
  return !(VERSION_TAG.test(parsed.tag) || COMMIT_TAG.test(parsed.tag));
}

/**
 * Pure: the pull policy of one colored service's image. An explicit
 * `--pull` wins; without one a moving tag is pulled always (the host's copy
 * may be an old build under the same name) and anything else when missing.
 */
export function pullPolicyFor(ref: string, requested: PullPolicy | undefined): PullPolicy {
  if (requested !== undefined) return requested;
  return isMovingTag(ref) ? 'always' : 'missing';
}
