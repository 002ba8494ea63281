import { posix } from 'node:path';
import { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { MountedFile, MountedFileSource } from './container-settings.js';
import { bool, byShape, convert, nonEmptyText, scalarText } from './schema-leaves.js';

/**
 * `secrets:` and `configs:`, of a service and at the top level. A service
 * names entries of the top-level section; each becomes a read-only file in the
 * container: secrets at /run/secrets/<name>, configs at /<name> (or `target:`),
 * owned by uid:gid (default 0:0) with the mode (default 0444), as the
 * Compose specification says. The bytes come from `file:`, `environment:` (a
 * variable's value) or `content:`; `external:` ones live in a swarm, which
 * cutover does not use, so they are refused.
 */

export type MountedFileKind = MountedFile['kind'];

/**
 * Permission bits. `0440` means octal in Compose files, but a YAML 1.2 reader
 * (this one) reads it as the decimal 440: a number written only with the
 * digits 0-7 is therefore read as octal, any other as the decimal value
 * (288 and 0o440 are the same mode).
 */
const mode = convert((value, reject) => {
  let bits: number | undefined;
  if (typeof value === 'string' && /^(0o?)?[0-7]{1,4}$/.test(value.trim())) bits = Number.parseInt(value.trim().replace(/^0o/, ''), 8);
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) bits = /^[0-7]{1,4}$/.test(String(value)) ? Number.parseInt(String(value), 8) : value;
  return bits !== undefined && bits <= 0o7777 ? bits : reject(`expected a file mode like 0440, got ${describeValue(value)}`);
});

const id = convert((value, reject) => {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^\d+$/.test(text) ? Number(text) : reject(`expected a numeric id like 1000, got ${describeValue(value)}`);
});

export interface MountedFileRef {
  name: string;
  target: string | undefined;
  uid: number | undefined;
  gid: number | undefined;
  mode: number | undefined;
}

const reference = byShape('a name or a mapping with source', {
  scalar: nonEmptyText.transform((name): MountedFileRef => ({ name, target: undefined, uid: undefined, gid: undefined, mode: undefined })),
  mapping: z
    .strictObject({ source: nonEmptyText, target: nonEmptyText.optional(), uid: id.optional(), gid: id.optional(), mode: mode.optional() })
    .transform((entry): MountedFileRef => ({ name: entry.source, target: entry.target, uid: entry.uid, gid: entry.gid, mode: entry.mode })),
});

export const mountedFileKeys = {
  secrets: z.array(reference).optional(),
  configs: z.array(reference).optional(),
};

/** An entry under the top-level `secrets:` or `configs:`. */
export const mountedFileDefinition = z
  .strictObject({
    file: nonEmptyText.optional(),
    environment: nonEmptyText.optional(),
    content: scalarText.optional(),
    external: bool.optional(),
    name: nonEmptyText.optional(),
    labels: z.unknown().optional(),
    driver: z.unknown().optional(),
    driver_opts: z.unknown().optional(),
    template_driver: z.unknown().optional(),
  })
  .transform((entry, ctx) => {
    const sources = (['file', 'environment', 'content', 'external'] as const).filter((key) => entry[key] !== undefined && entry[key] !== false);
    if (sources.length !== 1) {
      ctx.issues.push({ code: 'custom', input: entry, message: sources.length === 0 ? 'needs one of file:, environment: or content:' : `sets ${sources.join(' and ')}; set exactly one of file:, environment: or content:` });
    }
    if (entry.external === true) {
      ctx.issues.push({ code: 'custom', path: ['external'], input: entry, message: 'external secrets and configs live in a Docker swarm, which cutover does not use; use file:, environment: or content:' });
    }
    return entry;
  });

export type MountedFileDefinition = z.output<typeof mountedFileDefinition>;

/** Where the container sees the file: Compose's defaults and how it reads a relative `target:`. */
export function mountTarget(kind: MountedFileKind, ref: MountedFileRef): string {
  const base = kind === 'secret' ? '/run/secrets' : '/';
  const target = ref.target ?? ref.name;
  return target.startsWith('/') ? target : posix.join(base, target);
}

const DEFAULT_MODE = 0o444;

/** The mounted file of a reference, with its source looked up (undefined when the top-level entry is missing or broken; reported elsewhere). */
export function toMountedFile(kind: MountedFileKind, ref: MountedFileRef, source: MountedFileSource): MountedFile {
  return { kind, name: ref.name, target: mountTarget(kind, ref), uid: ref.uid ?? 0, gid: ref.gid ?? 0, mode: ref.mode ?? DEFAULT_MODE, source };
}
