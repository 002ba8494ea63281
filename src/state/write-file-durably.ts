import { type FileHandle, open } from 'node:fs/promises';

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
