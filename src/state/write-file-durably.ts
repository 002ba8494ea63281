import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Creates `file` (it must not exist: flag `wx`) with `data` and fsyncs it, so
 * that once this resolves the content is on disk, not only in the page cache.
 * Callers then rename or link it into place; that is what makes the final
 * name appear atomically with whole content.
 */
export async function writeFileDurably(file: string, data: string): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * fsyncs a directory so that a rename or link inside it survives a power loss.
 * Some platforms cannot open a directory for fsync (Windows: EISDIR/EPERM);
 * there the rename is still atomic, only not yet durable, so we go on.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `file` atomically: the content goes to a temp file in the same
 * directory (same filesystem, so rename is atomic), is fsynced, renamed over the
 * old file, and the directory is fsynced so the rename itself is durable. A
 * reader sees the old file or the new one, never a mix; a crash leaves at worst
 * a stray temp file, never a partial file.
 */
export async function replaceFileAtomically(file: string, data: string): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFileDurably(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}
