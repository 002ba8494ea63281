import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * Where the state file and the lock live: in the project's `caddy/` directory,
 * next to the Caddy config, so that whoever looks at the proxy's config sees
 * cutover's record of it too. Every function here takes that directory.
 */
export const STATE_FILE_NAME = 'cutover-state.json';
export const LOCK_FILE_NAME = 'cutover.lock';

/** The directory of the state file and the lock for a project directory: its `caddy/`. */
export function stateDirOf(projectDir: string): string {
  return join(projectDir, 'caddy');
}

export function stateFilePath(dir: string): string {
  return join(dir, STATE_FILE_NAME);
}

export function lockFilePath(dir: string): string {
  return join(dir, LOCK_FILE_NAME);
}

/** A path for messages: relative to the working directory when it is inside it (`caddy/cutover.lock`), else absolute. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, file);
  const outside = rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return outside ? file : rel;
}
