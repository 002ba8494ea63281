import { dirname, join, normalize } from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { childPath } from './config-path.js';
import { describeValue } from './describe-value.js';
import { asTree, isMapping, type LoadedFile, type Tree } from './read-compose-files.js';
import { rebasePaths, resolveExtends, type ReadOtherFile } from './resolve-extends.js';

/**
 * Compose's top-level `include:`: each listed file (a path, or `{path,
 * project_directory}`; paths relative to the including file's directory) is
 * read as its own small project, with its own includes and extends resolved
 * and its relative paths resolved from its project directory (by default its
 * own directory), and its services, networks, volumes, secrets and configs
 * are added to the including file. As the specification says, a resource an
 * included file defines that the including file (or another included file)
 * also defines is a conflict, refused.
 */

const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

export async function resolveIncludes(loaded: LoadedFile, readOther: ReadOtherFile, problems: ConfigProblem[], stack: string[] = [loaded.file]): Promise<LoadedFile> {
  const list = loaded.tree.include;
  if (list === undefined) return loaded;
  const { include: _tree, ...tree } = loaded.tree;
  const { include: _raw, ...raw } = loaded.raw;
  const result: LoadedFile = { file: loaded.file, tree: { ...tree }, raw: { ...raw } };
  if (!Array.isArray(list)) {
    problems.push({ file: loaded.file, path: 'include', message: `expected a list of files, got ${describeValue(list)}` });
    return result;
  }
  const owner = new Map<string, string>();
  for (const section of SECTIONS) for (const name of Object.keys(asTree(tree[section]))) owner.set(`${section}\u0000${name}`, loaded.file);

  for (const [index, entry] of list.entries()) {
    const at = childPath('include', index);
    const ref = readEntry(entry);
    if (typeof ref === 'string') {
      problems.push({ file: loaded.file, path: at, message: ref });
      continue;
    }
    for (const path of ref.paths) {
      const file = normalize(join(dirname(loaded.file), path));
      if (stack.includes(file)) {
        problems.push({ file: loaded.file, path: at, message: `includes itself in a cycle (${[...stack.slice(stack.indexOf(file)), file].join(' -> ')}); remove one include:` });
        continue;
      }
      const read = await readOther(file);
      if (read === undefined) {
        problems.push({ file: loaded.file, path: at, message: `${file} not found or not readable; fix the path` });
        continue;
      }
      const included = await resolveExtends(await resolveIncludes(read, readOther, problems, [...stack, file]), readOther, problems);
      const base = ref.projectDirectory === undefined ? dirname(file) : normalize(join(dirname(loaded.file), ref.projectDirectory));
      for (const section of SECTIONS) {
        for (const [name, value] of Object.entries(asTree(included.tree[section]))) {
          const key = `${section}\u0000${name}`;
          const other = owner.get(key);
          if (other !== undefined) {
            problems.push({ file: loaded.file, path: at, message: `${file} defines ${childPath(section, name)}, which ${other} defines too; Compose refuses the conflict: rename or remove one` });
            continue;
          }
          owner.set(key, file);
          const rebase = (item: unknown): unknown => (!isMapping(item) ? item : section === 'services' ? rebasePaths(item, base) : rebaseFileSource(item, base));
          result.tree[section] = { ...asTree(result.tree[section]), [name]: rebase(value) };
          result.raw[section] = { ...asTree(result.raw[section]), [name]: rebase(asTree(included.raw[section])[name] ?? value) };
        }
      }
    }
  }
  return result;
}

/** `path` (one or a list) or `{path, project_directory}`; `env_file` is not read, so it is refused. */
function readEntry(entry: unknown): { paths: string[]; projectDirectory?: string } | string {
  if (typeof entry === 'string' && entry !== '') return { paths: [entry] };
  if (!isMapping(entry)) return `expected a file path or {path, project_directory}, got ${describeValue(entry)}`;
  const unknown = Object.keys(entry).filter((key) => key !== 'path' && key !== 'project_directory');
  if (unknown.length > 0) return `${unknown.join(', ')} of an include is not supported by cutover (variables come from the project's .env); use path and project_directory`;
  const paths = typeof entry.path === 'string' ? [entry.path] : entry.path;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p !== '')) return `include needs path: (a file or a list of files), got ${describeValue(entry.path)}`;
  if (entry.project_directory !== undefined && typeof entry.project_directory !== 'string') return `project_directory must be a path, got ${describeValue(entry.project_directory)}`;
  return { paths: paths as string[], ...(typeof entry.project_directory === 'string' ? { projectDirectory: entry.project_directory } : {}) };
}

/** A secret's or config's `file:` declared in `dir`, rewritten relative to the project. */
function rebaseFileSource(entry: Tree, dir: string): Tree {
  if (typeof entry.file !== 'string' || dir === '.' || entry.file.startsWith('/')) return entry;
  return { ...entry, file: normalize(join(dir, entry.file)) };
}
