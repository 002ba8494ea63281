import { dirname, isAbsolute, join, normalize, relative } from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { childPath } from './config-path.js';
import { describeValue } from './describe-value.js';
import { mergeService } from './merge-compose.js';
import { asTree, isMapping, type LoadedFile, type Tree } from './read-compose-files.js';

/**
 * Compose's `extends:` (a service of the same file, or of another file with
 * `file:`), resolved before a file is validated: the extended service (itself
 * resolved first) is the base, the extending service is merged over it with
 * the same rules as an overlay (mappings key by key, ports/volumes by their
 * key, other sequences appended, scalars replaced). `depends_on`,
 * `volumes_from` and `links` are not inherited. Relative paths of a service
 * from another directory (env_file, bind sources, label_file) are rebased
 * onto the extending file's directory, as Compose resolves them from the
 * file that declares them.
 */

/** Reads another compose file, relative to the project directory; undefined when it is missing or does not parse (a problem is recorded). */
export type ReadOtherFile = (file: string) => Promise<LoadedFile | undefined>;

const NOT_INHERITED = ['depends_on', 'volumes_from', 'links'];

export async function resolveExtends(loaded: LoadedFile, readOther: ReadOtherFile, problems: ConfigProblem[]): Promise<LoadedFile> {
  const cache = new Map<string, LoadedFile | undefined>([[loaded.file, loaded]]);
  const fileOf = async (file: string): Promise<LoadedFile | undefined> => {
    if (!cache.has(file)) cache.set(file, await readOther(file));
    return cache.get(file);
  };
  const resolved = new Map<string, { raw: Tree; tree: Tree } | undefined>();

  const resolveService = async (file: LoadedFile, name: string, stack: string[]): Promise<{ raw: Tree; tree: Tree } | undefined> => {
    const id = `${file.file}\u0000${name}`;
    if (resolved.has(id)) return resolved.get(id);
    const tree = asTree(asTree(file.tree.services)[name]);
    const raw = asTree(asTree(file.raw.services)[name]);
    const at = childPath(childPath('services', name), 'extends');
    if (tree.extends === undefined) return { raw, tree };
    const ref = readReference(tree.extends);
    if (typeof ref === 'string') {
      problems.push({ file: file.file, path: at, message: ref });
      return undefined;
    }
    const targetFile = ref.file === undefined ? file.file : normalize(join(dirname(file.file), ref.file));
    if (stack.includes(`${targetFile}\u0000${ref.service}`)) {
      const cycle = [...stack.slice(stack.indexOf(`${targetFile}\u0000${ref.service}`)), `${targetFile}\u0000${ref.service}`].map((s) => s.replace('\u0000', '#'));
      problems.push({ file: file.file, path: at, message: `extends itself in a cycle (${cycle.join(' -> ')}); remove one extends:` });
      return undefined;
    }
    const target = await fileOf(targetFile);
    if (target === undefined) {
      problems.push({ file: file.file, path: childPath(at, 'file'), message: `${targetFile} not found or not readable; fix extends.file:` });
      return undefined;
    }
    if (!isMapping(asTree(target.tree.services)[ref.service])) {
      problems.push({ file: file.file, path: childPath(at, 'service'), message: `no service "${ref.service}" in ${targetFile}; name one of its services (${Object.keys(asTree(target.tree.services)).join(', ') || 'none'})` });
      return undefined;
    }
    const base = await resolveService(target, ref.service, [...stack, `${targetFile}\u0000${ref.service}`]);
    if (base === undefined) return undefined;
    // Paths in a service are relative to its own file's directory.
    const shift = relative(dirname(file.file), dirname(targetFile));
    const inherit = (service: Tree): Tree => {
      const out = rebasePaths(Object.fromEntries(Object.entries(service).filter(([key]) => !NOT_INHERITED.includes(key))), shift);
      return out;
    };
    const own = (service: Tree): Tree => Object.fromEntries(Object.entries(service).filter(([key]) => key !== 'extends'));
    const result = { raw: mergeService(inherit(base.raw), own(raw)), tree: mergeService(inherit(base.tree), own(tree)) };
    resolved.set(id, result);
    return result;
  };

  const services = asTree(loaded.tree.services);
  if (!Object.values(services).some((service) => isMapping(service) && service.extends !== undefined)) return loaded;
  const tree: Tree = { ...services };
  const raw: Tree = { ...asTree(loaded.raw.services) };
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service) || service.extends === undefined) continue;
    const result = await resolveService(loaded, name, [`${loaded.file}\u0000${name}`]);
    if (result === undefined) {
      // Keep the service without extends: its own keys are still validated.
      tree[name] = Object.fromEntries(Object.entries(service).filter(([key]) => key !== 'extends'));
      continue;
    }
    tree[name] = result.tree;
    raw[name] = result.raw;
  }
  return { file: loaded.file, raw: { ...loaded.raw, services: raw }, tree: { ...loaded.tree, services: tree } };
}

/** `extends: name` or `extends: {service, file}`; a string is the problem. */
function readReference(value: unknown): { service: string; file?: string } | string {
  if (typeof value === 'string' && value !== '') return { service: value };
  if (!isMapping(value)) return `expected a service name or {service, file}, got ${describeValue(value)}`;
  const unknown = Object.keys(value).filter((key) => key !== 'service' && key !== 'file');
  if (unknown.length > 0) return `unknown key ${unknown.join(', ')}; extends takes service and file`;
  if (typeof value.service !== 'string' || value.service === '') return `extends needs service: (the name of the service to extend), got ${describeValue(value.service)}`;
  if (value.file !== undefined && (typeof value.file !== 'string' || value.file === '')) return `extends.file must be a path, got ${describeValue(value.file)}`;
  return value.file === undefined ? { service: value.service } : { service: value.service, file: value.file };
}

/** Relative paths of a service declared in directory `dir`, rewritten relative to the directory `dir` is relative to. */
export function rebasePaths(service: Tree, dir: string): Tree {
  if (dir === '.' || dir === '') return service;
  const move = (path: string): string => {
    if (isAbsolute(path) || path.startsWith('~')) return path;
    const moved = join(dir, path);
    // A bind source must keep looking like a path (`./x`), or Compose reads it as a named volume.
    return moved.startsWith('.') ? moved : `./${moved}`;
  };
  const out: Tree = { ...service };
  const files = (value: unknown): unknown => {
    if (typeof value === 'string') return move(value);
    if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? move(item) : isMapping(item) && typeof item.path === 'string' ? { ...item, path: move(item.path) } : item));
    return value;
  };
  if (out.env_file !== undefined) out.env_file = files(out.env_file);
  if (out.label_file !== undefined) out.label_file = files(out.label_file);
  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((volume) => {
      if (isMapping(volume) && volume.type === 'bind' && typeof volume.source === 'string') return { ...volume, source: move(volume.source) };
      if (typeof volume === 'string') {
        const colon = volume.indexOf(':');
        const source = colon === -1 ? volume : volume.slice(0, colon);
        if (source.startsWith('.')) return `${move(source)}${colon === -1 ? '' : volume.slice(colon)}`;
      }
      return volume;
    });
  }
  return out;
}
