import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { z } from 'zod';
import { LockHeldError } from '../errors.js';
import { removeStrayTempFiles } from './remove-stray-temp-files.js';
import { displayPath, lockFilePath } from './state-paths.js';
import { writeFileDurably } from './write-file-durably.js';

/**
 * The deploy lock, `caddy/cutover.lock`: one cutover at a time changes a
 * project's containers, Caddy upstreams and state file.
 *
 * Contract:
 * - The lock file appears with its whole content at once (written to a temp
 *   file, then hard-linked into place; `link` fails if the name exists, which
 *   is what makes creation exclusive). So a reader never sees a half-written
 *   lock, and an unreadable one really is damaged.
 * - A lock whose holder ran on this host and whose pid no longer exists is
 *   stale and is taken over. A holder on another host is never judged: this
 *   host cannot see its processes.
 * - Replacing a stale lock is guarded by a second exclusive file,
 *   `cutover.lock.takeover`, held for the few milliseconds of the replacement.
 *   Without it, two takers that both saw the stale lock could each replace
 *   "it", and the second would overwrite the first one's fresh lock.
 */

export const lockInfoSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string().min(1),
  /** The cutover command holding it (deploy, rollback, ...), for the message others get. */
  command: z.string().min(1),
  startedAt: z.iso.datetime({ offset: true }),
});
export type LockInfo = z.infer<typeof lockInfoSchema>;

/** alive or dead: checked on this host; unknown: the holder is on another host. */
export type Liveness = 'alive' | 'dead' | 'unknown';

export type LockStatus =
  | { kind: 'free' }
  | { kind: 'held'; holder: LockInfo; liveness: Liveness }
  | { kind: 'unreadable'; problem: string };

export interface Lock {
  readonly file: string;
  readonly info: LockInfo;
  /** The stale lock (its holder had died) that this one replaced, for the caller to report; null if there was none. */
  readonly replacedStale: LockInfo | null;
  /** Removes the lock file if it is still ours; does nothing otherwise. Safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  command: string;
  now?: Date;
}

const HELD_HINT_PREFIX = 'wait for it, or if that process is gone remove';

/** Each retry means the lock changed hands while we looked; more than a few means something keeps fighting for it. */
const MAX_ATTEMPTS = 5;

export async function acquireLock(dir: string, options: AcquireLockOptions): Promise<Lock> {
  const now = options.now ?? new Date();
  const file = lockFilePath(dir);
  const info: LockInfo = { pid: process.pid, host: hostname(), command: options.command, startedAt: now.toISOString() };

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (await createExclusive(file, info)) return tidied(dir, heldLock(file, info, null));

    const status = await readLockFile(file);
    if (status.kind === 'free') continue; // released between our attempt and our look
    if (status.kind === 'unreadable') throw unreadableError(file, status.problem);
    if (status.liveness !== 'dead') throw heldError(file, status.holder, now);
    const replaced = await replaceStaleLock(file, info, now);
    if (replaced !== null) return tidied(dir, heldLock(file, info, replaced));
  }
  throw new LockHeldError(`${displayPath(file)} kept changing hands while cutover tried to take it`, {
    hint: 'another cutover is probably starting right now; run `cutover status` and try again',
  });
}

/** Once the lock is ours, the temp files dead writers left beside it go (remove-stray-temp-files.ts). */
async function tidied(dir: string, lock: Lock): Promise<Lock> {
  await removeStrayTempFiles(dir, livenessOf);
  return lock;
}

/** What `status` shows: whether the lock is held, by whom, and whether that process still exists. */
export async function readLock(dir: string): Promise<LockStatus> {
  return readLockFile(lockFilePath(dir));
}

/** `deploy, pid 1234 on host web1, since 12:00:03` (the date too when it is not today). */
export function describeLockHolder(holder: LockInfo, now: Date = new Date()): string {
  return `${holder.command}, pid ${holder.pid} on host ${holder.host}, since ${formatSince(new Date(holder.startedAt), now)}`;
}

async function readLockFile(file: string): Promise<LockStatus> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'free' };
    return { kind: 'unreadable', problem: `cannot be read: ${code ?? String(error)}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', problem: 'not valid JSON' };
  }
  const parsed = lockInfoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'unreadable', problem: `${issue?.path.map(String).join('.') || 'content'}: ${issue?.message ?? 'invalid'}` };
  }
  const holder = parsed.data;
  return { kind: 'held', holder, liveness: holder.host === hostname() ? livenessOf(holder.pid) : 'unknown' };
}

function livenessOf(pid: number): Liveness {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists (pid > 0 is ensured by the schema)
    return 'alive';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return 'dead';
    if (code === 'EPERM') return 'alive'; // exists, owned by another user
    throw error;
  }
}

/** Creates `file` with `info` unless it exists. false: it exists. */
async function createExclusive(file: string, info: LockInfo): Promise<boolean> {
  const temp = await writeTemp(file, info);
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Replaces the lock file with ours if it is (still) stale, under the takeover
 * guard. Returns the stale holder it replaced, or null if it did not replace
 * anything (the file changed meanwhile, or another takeover just finished):
 * the caller then looks again.
 */
async function replaceStaleLock(file: string, taker: LockInfo, now: Date): Promise<LockInfo | null> {
  const guard = `${file}.takeover`;
  if (!(await createExclusive(guard, taker))) {
    const other = await readLockFile(guard);
    if (other.kind === 'free') return null;
    if (other.kind === 'unreadable') throw unreadableError(guard, other.problem);
    if (other.liveness === 'dead') {
      throw new LockHeldError(`a takeover of the stale ${displayPath(file)} by pid ${other.holder.pid} was interrupted`, {
        hint: `if no cutover is running, remove ${displayPath(guard)} and ${displayPath(file)}`,
      });
    }
    throw new LockHeldError(`another cutover (${describeLockHolder(other.holder, now)}) is taking over the stale ${displayPath(file)}`, {
      hint: `${HELD_HINT_PREFIX} ${displayPath(file)}`,
    });
  }
  let temp: string | undefined;
  try {
    // Judge again while holding the guard. Only guard holders replace a stale
    // lock and nobody else touches an existing file, so the file we judge is
    // the one the rename replaces. Renaming over it (rather than unlinking and
    // creating) leaves no moment without a lock for a newcomer to slip into.
    const status = await readLockFile(file);
    if (status.kind !== 'held' || status.liveness !== 'dead') return null;
    temp = await writeTemp(file, taker);
    await rename(temp, file);
    temp = undefined;
    return status.holder;
  } finally {
    if (temp !== undefined) await rm(temp, { force: true });
    await unlink(guard);
  }
}

async function writeTemp(file: string, info: LockInfo): Promise<string> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFileDurably(temp, `${JSON.stringify(info)}\n`);
  return temp;
}

function heldLock(file: string, info: LockInfo, replacedStale: LockInfo | null): Lock {
  return {
    file,
    info,
    replacedStale,
    async release(): Promise<void> {
      const status = await readLockFile(file);
      // Someone may have removed our lock by hand and another cutover taken it: leave theirs alone.
      if (status.kind !== 'held' || !sameHolder(status.holder, info)) return;
      await rm(file, { force: true });
    },
  };
}

function sameHolder(a: LockInfo, b: LockInfo): boolean {
  return a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt && a.command === b.command;
}

function heldError(file: string, holder: LockInfo, now: Date): LockHeldError {
  const shown = displayPath(file);
  return new LockHeldError(`another cutover (${describeLockHolder(holder, now)}) holds ${shown}`, {
    hint: `${HELD_HINT_PREFIX} ${shown}`,
  });
}

function unreadableError(file: string, problem: string): LockHeldError {
  const shown = displayPath(file);
  return new LockHeldError(`${shown} exists but is unreadable (${problem})`, {
    hint: `if no cutover is running, remove ${shown}`,
  });
}

/** Local wall-clock time, as the user reads it; with the date when it is not today. */
function formatSince(at: Date, now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  return date === today ? time : `${date} ${time}`;
}
