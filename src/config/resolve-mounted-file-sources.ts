import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { childPath, formatPath } from './config-path.js';
import type { MountedFileSource } from './container-settings.js';
import { describeValue } from './describe-value.js';
import { describeZodIssues } from './describe-zod-issues.js';
import type { VariableLookup } from './interpolate.js';
import { stripMergeTags } from './merge-compose.js';
import { mountedFileDefinition, type MountedFileKind } from './translate-mounted-files.js';

/** One Compose file's top level, interpolated. */
export interface TopLevelOf {
  file: string;
  tree: Record<string, unknown>;
}

export type SourceLookup = (kind: MountedFileKind, name: string) => MountedFileSource | 'undefined' | 'broken';

const SECTIONS = [['secrets', 'secret'], ['configs', 'config']] as const;

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the top-level `secrets:` and `configs:` of every file: each entry's
 * shape, and where its bytes are. A `file:` must exist (relative to the
 * project directory) and an `environment:` variable must be set, checked here
 * so a deploy never starts with a secret it cannot mount.
 * `lookupFor(files)` sees the entries of those files, later files winning (an
 * overlay's entry replaces compose.yml's).
 */
export async function resolveMountedFileSources(
  files: TopLevelOf[],
  projectDir: string,
  lookup: VariableLookup,
): Promise<{ lookupFor(fileNames: readonly string[]): SourceLookup; problems: ConfigProblem[] }> {
  const problems: ConfigProblem[] = [];
  const byFile = new Map<string, Map<string, MountedFileSource | 'broken'>>();
  for (const { file, tree } of files) {
    const entries = new Map<string, MountedFileSource | 'broken'>();
    byFile.set(file, entries);
    for (const [section, kind] of SECTIONS) {
      const raw = stripMergeTags(tree[section] ?? {});
      if (!isMapping(raw)) {
        problems.push({ file, path: section, message: `expected a mapping of ${section}, got ${describeValue(raw)}` });
        continue;
      }
      for (const [name, value] of Object.entries(raw)) {
        const at = childPath(section, name);
        const parsed = mountedFileDefinition.safeParse(value ?? {}, { reportInput: true });
        if (!parsed.success) {
          for (const issue of describeZodIssues(parsed.error.issues, 'unknown key')) problems.push({ file, path: formatPath(issue.path, at), message: issue.message });
          entries.set(`${kind}:${name}`, 'broken');
          continue;
        }
        const definition = parsed.data;
        if (definition.file !== undefined) {
          const path = resolve(projectDir, definition.file);
          const found = await stat(path).then((s) => s.isFile(), () => false);
          if (!found) {
            problems.push({ file, path: childPath(at, 'file'), message: `${definition.file} not found in ${projectDir} (or not a file)` });
            entries.set(`${kind}:${name}`, 'broken');
          } else entries.set(`${kind}:${name}`, { kind: 'file', path });
        } else if (definition.environment !== undefined) {
          const text = lookup(definition.environment);
          if (text === undefined) {
            problems.push({ file, path: childPath(at, 'environment'), message: `the variable ${definition.environment} is not set (in the environment or .env)` });
            entries.set(`${kind}:${name}`, 'broken');
          } else entries.set(`${kind}:${name}`, { kind: 'content', text });
        } else if (definition.content !== undefined) {
          entries.set(`${kind}:${name}`, { kind: 'content', text: definition.content });
        } else entries.set(`${kind}:${name}`, 'broken');
      }
    }
  }
  return {
    problems,
    lookupFor: (fileNames) => (kind, name) => {
      for (const file of [...fileNames].reverse()) {
        const found = byFile.get(file)?.get(`${kind}:${name}`);
        if (found !== undefined) return found;
      }
      return 'undefined';
    },
  };
}
