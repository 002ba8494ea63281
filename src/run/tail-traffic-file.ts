import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { readRoundtrips } from '../domain/read-roundtrips.js';
import type { TrafficLogPiece, TrafficLogReader } from './traffic-log-reader.js';

const CHUNK = 1 << 16;
const NEWLINE = 0x0a;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Follows the traffic log file Caddy on the host writes, from its end as it is
 * now (lines of an earlier run are not this run's). Caddy opens the file at
 * its first line, so it may not exist yet. Caddy rolls it at 100 MB: the file
 * is renamed and a new one started; the old one is read to its end through
 * the handle kept open, then the new one from its start. Only whole lines are
 * handed over; bytes after the last newline wait for the next take.
 */
export async function tailTrafficFile(file: string): Promise<TrafficLogReader> {
  let handle: FileHandle | undefined;
  let inode: number | undefined;
  let offset = 0;
  let pending: Buffer = Buffer.alloc(0);

  const openAt = async (atEnd: boolean): Promise<void> => {
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const st = await handle.stat();
    inode = st.ino;
    offset = atEnd ? st.size : 0;
  };

  const readToEnd = async (): Promise<Buffer[]> => {
    const parts: Buffer[] = [];
    if (handle === undefined) return parts;
    const st = await handle.stat();
    // Truncated in place (copytruncate): start over at its beginning.
    if (st.size < offset) offset = 0;
    for (;;) {
      const buffer = Buffer.alloc(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, offset);
      if (bytesRead === 0) return parts;
      offset += bytesRead;
      parts.push(buffer.subarray(0, bytesRead));
    }
  };

  const rolled = async (): Promise<boolean> => {
    try {
      const st = await stat(file);
      return st.ino !== inode;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  };

  await openAt(true);

  return {
    describe: file,
    async take(): Promise<TrafficLogPiece> {
      const parts = [pending, ...(await readToEnd())];
      if (handle === undefined) {
        await openAt(false);
        parts.push(...(await readToEnd()));
      } else if (await rolled()) {
        // The old file is read to its end above; what follows is in the new one.
        await handle.close();
        handle = undefined;
        await openAt(false);
        parts.push(...(await readToEnd()));
      }
      const bytes = Buffer.concat(parts);
      const end = bytes.lastIndexOf(NEWLINE);
      pending = end === -1 ? bytes : bytes.subarray(end + 1);
      if (end === -1) return { roundtrips: [], unparseable: 0, firstUnparseable: undefined };
      const batch = readRoundtrips(bytes.subarray(0, end + 1).toString('utf8'));
      return { roundtrips: batch.roundtrips, unparseable: batch.unparseable, firstUnparseable: batch.firstUnparseable };
    },
    async close(): Promise<void> {
      await handle?.close();
      handle = undefined;
    },
  };
}
