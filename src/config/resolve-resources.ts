import type { ConfigProblem } from '../errors.js';
import { resourceSchema } from './compose-schema.js';
import { childPath } from './config-path.js';
import { mergeResource, stripMergeTags } from './merge-compose.js';
import type { NetworkSpec, VolumeSpec } from './model.js';
import { NETWORK_KEYS, VOLUME_KEYS } from './service-keys.js';
import { filterKeys } from './validate-compose-file.js';

/** The top-level `networks:` or `volumes:` of one file, interpolated. */
export interface ResourceSection {
  file: string;
  entries: Record<string, unknown>;
}

type ResourceSpec = NetworkSpec & VolumeSpec;

/**
 * Docker names of the project's networks or volumes. Compose names them
 * `<project>_<key>` unless `name:` is set; an external one is `name:` or the key.
 *
 * Shared services come from compose.yml alone while colored ones also read an
 * overlay, so a key must name the same Docker object in every file that
 * defines it: the bluegreen-final overlays say `internal: {external: true,
 * name: tale_internal}`, which matches compose.yml only when the project is
 * called `tale`. A mismatch would put the proxy and the new color on different
 * networks, so it is a problem. Where the names agree, compose.yml's definition
 * is kept (the project owns what compose.yml creates).
 */
export function resolveResources(
  kind: 'network' | 'volume',
  base: ResourceSection,
  overlays: ResourceSection[],
  projectName: string,
): { specs: Record<string, ResourceSpec>; problems: ConfigProblem[] } {
  const section = kind === 'network' ? 'networks' : 'volumes';
  const specs: Record<string, ResourceSpec> = {};
  const problems: ConfigProblem[] = [];
  for (const [key, raw] of Object.entries(base.entries)) specs[key] = toSpec(kind, key, raw, projectName);
  const definedBy = new Map<string, string>(Object.keys(specs).map((key) => [key, base.file]));

  for (const overlay of overlays) {
    for (const [key, raw] of Object.entries(overlay.entries)) {
      // An overlay entry merges over compose.yml's, as in `docker compose -f compose.yml -f compose.blue.yml`.
      const spec = toSpec(kind, key, mergeResource(base.entries[key], raw), projectName);
      const existing = specs[key];
      if (existing === undefined) {
        specs[key] = spec;
        definedBy.set(key, overlay.file);
      } else if (existing.name !== spec.name) {
        const other = definedBy.get(key) ?? base.file;
        const fix = other === base.file ? 'set the project name (name: or COMPOSE_PROJECT_NAME) or give both the same name:' : 'give both overlays the same name:';
        problems.push({
          file: overlay.file,
          path: childPath(section, key),
          message: `is ${kind} "${spec.name}" here but "${existing.name}" in ${other}; shared and colored services must use the same ${kind}: ${fix}`,
        });
      }
    }
  }
  return { specs, problems };
}

function toSpec(kind: 'network' | 'volume', key: string, raw: unknown, projectName: string): ResourceSpec {
  const mapping = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  // Validated per file already; unsupported keys are dropped here.
  const kept = filterKeys(mapping, kind === 'network' ? NETWORK_KEYS : VOLUME_KEYS, '', undefined, () => undefined);
  const fields = resourceSchema.safeParse(stripMergeTags(kept)).data ?? {};
  const external = fields.external ?? false;
  return { name: fields.name ?? (external ? key : `${projectName}_${key}`), external, driver: fields.driver };
}
