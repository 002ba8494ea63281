import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProject, type LoadProjectOptions } from '../../../src/config/load-project.js';
import type { ProjectConfig } from '../../../src/config/model.js';
import { ConfigInvalidError, formatConfigProblem } from '../../../src/errors.js';

/** Files of a project by relative path. */
export type ProjectFiles = Record<string, string>;

type Options = Partial<Omit<LoadProjectOptions, 'projectDir'>> & {
  /** Directory name, which becomes the project name unless set otherwise. */
  dirName?: string;
  /** A directory to copy first (a seed), then `files` are written over it. */
  copyFrom?: string;
};

/** Runs `fn` on a fresh project directory under the OS temp dir, removed afterwards. */
export async function withProject<T>(files: ProjectFiles, options: Options, fn: (dir: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), 'cutover-config-'));
  const dir = join(root, options.dirName ?? 'app');
  try {
    if (options.copyFrom !== undefined) await cp(options.copyFrom, dir, { recursive: true });
    await mkdir(dir, { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return await fn(dir);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export function load(files: ProjectFiles, options: Options = {}): Promise<ProjectConfig> {
  return withProject(files, options, (dir) => loadProject({ projectDir: dir, env: options.env ?? {}, variables: options.variables }));
}

/** The formatted problems loadProject throws, with the project directory written as <dir>. */
export function problems(files: ProjectFiles, options: Options = {}): Promise<string[]> {
  return withProject(files, options, async (dir) => {
    try {
      await loadProject({ projectDir: dir, env: options.env ?? {}, variables: options.variables });
    } catch (error) {
      assert.ok(error instanceof ConfigInvalidError, `expected ConfigInvalidError, got ${String(error)}`);
      assert.equal(error.exitCode, 3);
      return error.problems.map((problem) => formatConfigProblem(problem).split(dir).join('<dir>'));
    }
    assert.fail('expected loadProject to throw ConfigInvalidError');
  });
}

/** A valid project: `web` is colored (overlay style), `db` is shared. */
export const MINIMAL: ProjectFiles = {
  'compose.yml': 'services:\n  web:\n    image: example/web:${VERSION:-latest}\n  db:\n    image: postgres:16\n',
  'compose.blue.yml': 'services:\n  web:\n    container_name: web-blue\n',
  'compose.green.yml': 'services:\n  web:\n    container_name: web-green\n',
};
