import { relative, resolve } from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { childPath } from './config-path.js';
import { describeValue } from './describe-value.js';
import type { VariableLookup } from './interpolate.js';
import { parseDotenv } from './parse-dotenv.js';
import { asTree, isMapping, readIfExists, type LoadedFile, type Tree } from './read-compose-files.js';

/**
 * Compose's `label_file:` (one path or a list, relative to the project
 * directory): each file holds `KEY=VALUE` lines, read like an env file; later
 * files win over earlier ones, and `labels:` wins over every file. The labels
 * are written into `labels:` and `label_file:` is removed, so the rest of the
 * loader sees plain labels.
 */
export async function applyLabelFiles(
  loaded: LoadedFile,
  projectDir: string,
  lookup: VariableLookup,
  problems: ConfigProblem[],
  filesRead: string[],
): Promise<LoadedFile> {
  const services = asTree(loaded.tree.services);
  if (!Object.values(services).some((service) => isMapping(service) && service.label_file !== undefined)) return loaded;
  const out: Tree = { ...services };
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service) || service.label_file === undefined) continue;
    const at = childPath(childPath('services', name), 'label_file');
    const { label_file: given, ...rest } = service;
    const paths = typeof given === 'string' ? [given] : Array.isArray(given) && given.every((p) => typeof p === 'string' && p !== '') ? (given as string[]) : undefined;
    if (paths === undefined) {
      problems.push({ file: loaded.file, path: at, message: `expected a path or a list of paths, got ${describeValue(given)}` });
      out[name] = rest;
      continue;
    }
    if (rest.labels !== undefined && !isMapping(rest.labels) && !Array.isArray(rest.labels)) {
      out[name] = rest; // validating the file reports the malformed labels:
      continue;
    }
    const labels: Tree = {};
    for (const [index, path] of paths.entries()) {
      const full = resolve(projectDir, path);
      const text = await readIfExists(full);
      if (text === undefined) {
        problems.push({ file: loaded.file, path: typeof given === 'string' ? at : childPath(at, index), message: `${path} not found in ${projectDir}; create it or remove it from label_file:` });
        continue;
      }
      filesRead.push(full);
      const parsed = parseDotenv(text, lookup);
      for (const problem of parsed.problems) problems.push({ file: relative(projectDir, full), path: `line ${problem.line}`, message: problem.message });
      Object.assign(labels, parsed.values);
    }
    out[name] = { ...rest, labels: { ...labels, ...labelsMapping(rest.labels) } };
  }
  return { ...loaded, tree: { ...loaded.tree, services: out } };
}

/** `labels:` as a mapping (a list of KEY=VALUE is accepted as Compose does). */
function labelsMapping(value: unknown): Tree {
  if (isMapping(value)) return value;
  if (!Array.isArray(value)) return {};
  const out: Tree = {};
  for (const item of value) {
    const entry = String(item);
    const eq = entry.indexOf('=');
    out[eq === -1 ? entry : entry.slice(0, eq)] = eq === -1 ? '' : entry.slice(eq + 1);
  }
  return out;
}
