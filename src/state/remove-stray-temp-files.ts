import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Liveness } from './deploy-lock.js';

/** A temp file of an atomic write of the state or lock file: `<name>.<pid>.<hex>.tmp`, with or without a leading dot. */
const TEMP_FILE = /^\.?cutover[\w.-]*\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Removes the temp files that atomic writes of dead cutover processes left in
 * the state directory (a SIGKILL between the write and the rename leaves one;
 * the 200-operation soak found four). A file whose process still lives is left
 * alone: it may be in the middle of its write. Best effort: a file that cannot
 * be removed stays for the next command. Returns the names removed.
 */
export async function removeStrayTempFiles(dir: string, livenessOf: (pid: number) => Liveness): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(TEMP_FILE.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || livenessOf(pid) !== 'dead') continue;
    try {
      await rm(join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // Left for the next command.
    }
  }
  return removed;
}
