import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { ConfigProblem } from '../errors.js';
import type { VariableLookup } from './interpolate.js';
import { interpolateTree, type TreeProblem } from './interpolate-tree.js';
import { parseComposeYaml } from './parse-compose-yaml.js';
import { parseDotenv } from './parse-dotenv.js';
import type { EnvFileUse } from './validate-compose-file.js';

/**
 * Reading the files of a project for loadProject: each compose file parsed and
 * interpolated, each env file read once. Problems are collected into the
 * caller's list (loadProject throws them all together); every file read is
 * added to `filesRead`.
 */

export type Tree = Record<string, unknown>;

export interface LoadedFile {
  file: string;
  /** As parsed, before interpolation: to see whether an image names ${VERSION}. */
  raw: Tree;
  tree: Tree;
}

export const isMapping = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

export function asTree(value: unknown): Tree {
  return isMapping(value) ? value : {};
}

/** The first of `candidates` in `projectDir`, parsed and interpolated; undefined (and a problem) when none is there or it does not parse. */
export async function readComposeFile(
  projectDir: string,
  candidates: string[],
  missing: string,
  lookup: VariableLookup,
  problems: ConfigProblem[],
  filesRead: string[],
): Promise<LoadedFile | undefined> {
  for (const file of candidates) {
    const text = await readIfExists(join(projectDir, file));
    if (text === undefined) continue;
    filesRead.push(join(projectDir, file));
    const parsed = parseComposeYaml(text);
    if (!parsed.ok) {
      for (const message of parsed.messages) problems.push({ file, path: '', message });
      return undefined;
    }
    const raw = isMapping(parsed.value) ? parsed.value : {};
    const treeProblems: TreeProblem[] = [];
    const tree = interpolateTree(parsed.value, lookup, '', treeProblems);
    for (const problem of treeProblems) problems.push({ file, ...problem });
    if (!isMapping(tree)) problems.push({ file, path: '', message: 'expected a mapping of top-level keys (services, networks, volumes...)' });
    return { file, raw, tree: isMapping(tree) ? tree : {} };
  }
  problems.push({ file: candidates[0] ?? '', path: '', message: missing });
  return undefined;
}

/** Reads every env file once; problems name the compose file that refers to a missing one. */
export async function readEnvFiles(
  projectDir: string,
  uses: Array<EnvFileUse & { file: string }>,
  lookup: VariableLookup,
  problems: ConfigProblem[],
  filesRead: string[],
): Promise<Map<string, Record<string, string>>> {
  const values = new Map<string, Record<string, string>>();
  const missing = new Set<string>();
  for (const use of uses) {
    const path = resolve(projectDir, use.path);
    if (!values.has(path) && !missing.has(path)) {
      const text = await readIfExists(path);
      if (text === undefined) missing.add(path);
      else {
        filesRead.push(path);
        const parsed = parseDotenv(text, lookup);
        values.set(path, parsed.values);
        for (const problem of parsed.problems) problems.push({ file: relative(projectDir, path), path: `line ${problem.line}`, message: problem.message });
      }
    }
    if (missing.has(path) && use.required) problems.push({ file: use.file, path: use.at, message: `${use.path} not found in ${projectDir}` });
  }
  return values;
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
