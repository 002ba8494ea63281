import { OverrideValue, ResetValue } from './merge-tags.js';
import { parsePort } from './parse-port.js';
import { parseVolume } from './parse-volume.js';

/**
 * Compose's merge rules, applied to parsed (and interpolated) YAML:
 * - mappings merge key by key (environment, labels, networks, healthcheck, deploy...);
 * - `command`, `entrypoint` and `healthcheck.test` are replaced;
 * - `ports` merge by {host ip, host port, container port, protocol} and
 *   `volumes` by target: an entry with the same key replaces, a new one is appended;
 * - other sequences (expose, env_file, aliases...) are appended without duplicates;
 * - scalars are replaced; `logging` is replaced when the driver changes;
 * - `!reset` removes the value, `!override` replaces it without merging.
 * Compose merges the expanded forms, so short syntax is expanded first
 * (`- KEY=value` lists become mappings, `"8080:80"` a long-form port).
 */

type Tree = Record<string, unknown>;
type Path = readonly string[];

const REMOVED = Symbol('removed');

const isMapping = (value: unknown): value is Tree =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ResetValue) && !(value instanceof OverrideValue);

/** For a file merged over nothing: `!reset` drops the entry, `!override` is just its value. */
export function stripMergeTags(value: unknown): unknown {
  const stripped = strip(value);
  return stripped === REMOVED ? undefined : stripped;
}

function strip(value: unknown): unknown {
  if (value instanceof ResetValue) return REMOVED;
  if (value instanceof OverrideValue) return strip(value.value);
  if (Array.isArray(value)) return value.map(strip).filter((item) => item !== REMOVED);
  if (isMapping(value)) {
    const out: Tree = {};
    for (const [key, item] of Object.entries(value)) {
      const kept = strip(item);
      if (kept !== REMOVED) out[key] = kept;
    }
    return out;
  }
  return value;
}

/** Merges one service definition over another, both as read from their files. */
export function mergeService(base: Tree, override: Tree): Tree {
  const merged = mergeValue(stripMergeTags(expandService(base)), expandService(override), []);
  return isMapping(merged) ? merged : {};
}

/** A single service definition in the same expanded, tag-free form as a merged one. */
export function expandAlone(service: Tree): Tree {
  const out = stripMergeTags(expandService(service));
  return isMapping(out) ? out : {};
}

/** Merges entries of the top-level `networks:`/`volumes:` (plain mapping rules). */
export function mergeResource(base: unknown, override: unknown): unknown {
  const merged = mergeValue(stripMergeTags(base), override, ['<resource>']);
  return merged === REMOVED ? undefined : merged;
}

function mergeValue(base: unknown, override: unknown, path: Path): unknown {
  if (override instanceof ResetValue) return REMOVED;
  if (override instanceof OverrideValue || base === undefined || isReplaced(path)) return strip(override);
  // `internal:` with no body under networks adds nothing to what the base says.
  if (isMapping(base) && override === null) return base;
  if (isMapping(base) && isMapping(override)) {
    if (path.length === 1 && path[0] === 'logging' && base.driver !== undefined && override.driver !== undefined && base.driver !== override.driver) {
      return strip(override);
    }
    const out: Tree = { ...base };
    for (const [key, item] of Object.entries(override)) {
      const merged = mergeValue(base[key], item, [...path, key]);
      if (merged === REMOVED) delete out[key];
      else out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(override)) {
    const keyOf = sequenceKey(path);
    const out = [...base];
    for (const item of override) {
      const value = strip(item);
      if (value === REMOVED) continue;
      const at = out.findIndex((existing) => keyOf(existing) === keyOf(value));
      if (at === -1) out.push(value);
      else out[at] = value;
    }
    return out;
  }
  return strip(override);
}

function isReplaced(path: Path): boolean {
  const at = path.join('\u0000');
  return at === 'command' || at === 'entrypoint' || at === 'healthcheck\u0000test';
}

function sequenceKey(path: Path): (item: unknown) => string {
  if (path.length === 1 && path[0] === 'ports') {
    return (item) => (isMapping(item) ? `${String(item.host_ip ?? '')}|${String(item.published ?? '')}|${String(item.target)}|${String(item.protocol ?? 'tcp')}` : JSON.stringify(item));
  }
  if (path.length === 1 && path[0] === 'volumes') return (item) => (isMapping(item) ? String(item.target) : JSON.stringify(item));
  return (item) => JSON.stringify(item);
}

/** Expands short forms under the service's own keys, looking through `!override`. */
function expandService(service: Tree): Tree {
  const out: Tree = {};
  for (const [key, value] of Object.entries(service)) {
    out[key] = value instanceof OverrideValue ? new OverrideValue(expandKey(key, value.value)) : value instanceof ResetValue ? value : expandKey(key, value);
  }
  return out;
}

function expandKey(key: string, value: unknown): unknown {
  switch (key) {
    case 'environment':
      return listToMapping(value, null);
    case 'labels':
      return listToMapping(value, '');
    case 'networks':
      return Array.isArray(value) ? Object.fromEntries(value.map((name) => [String(name), null])) : value;
    case 'depends_on':
      return Array.isArray(value) ? Object.fromEntries(value.map((name) => [String(name), { condition: 'service_started' }])) : value;
    case 'env_file':
      return typeof value === 'string' ? [value] : value;
    case 'ports':
      return Array.isArray(value) ? value.flatMap(expandPort) : value;
    case 'volumes':
      return Array.isArray(value) ? value.map(expandVolume) : value;
    default:
      return value;
  }
}

function listToMapping(value: unknown, bare: null | ''): unknown {
  if (!Array.isArray(value)) return value;
  const out: Tree = {};
  for (const item of value) {
    const entry = String(item);
    const eq = entry.indexOf('=');
    if (eq === -1) out[entry] = bare;
    else out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

// Unparseable entries stay as written; validating each file reported them already.
function expandPort(item: unknown): unknown[] {
  if (typeof item !== 'string' && typeof item !== 'number') return [item];
  const parsed = parsePort(String(item));
  if (!parsed.ok) return [item];
  return parsed.mappings.map((mapping) => ({
    target: mapping.containerPort,
    protocol: mapping.protocol,
    ...(mapping.hostPort === undefined ? {} : { published: String(mapping.hostPort) }),
    ...(mapping.hostIp === undefined ? {} : { host_ip: mapping.hostIp }),
  }));
}

function expandVolume(item: unknown): unknown {
  if (typeof item !== 'string') return item;
  const parsed = parseVolume(item);
  if (!parsed.ok) return item;
  const { type, source, target, readOnly } = parsed.entry;
  return { type, target, read_only: readOnly, ...(source === undefined ? {} : { source }) };
}
