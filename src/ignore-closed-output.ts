/**
 * A closed stdout or stderr must never stop an operation halfway. When the
 * reader of a pipe goes away (`cutover deploy v2 2>&1 | head -1`) every write
 * fails with EPIPE; when the terminal hangs up (a dropped SSH session) with
 * EIO. Without a listener Node turns that `error` event into an uncaught
 * exception and the process dies between two steps: no undo, a stale lock.
 *
 * Once a stream has failed that way, writes to it are dropped for the rest of
 * the run: the operation goes on to its end, and the exit code is its own.
 */

/** EPIPE: the reading end of the pipe is gone; EIO: the terminal hung up. */
export function isClosedOutputError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'EIO' || code === 'ERR_STREAM_DESTROYED';
}

type Write = NodeJS.WriteStream['write'];

/** Makes writes to `stream` harmless once it is closed: they are dropped, never thrown or emitted. */
export function ignoreClosedOutput(stream: NodeJS.WriteStream): void {
  let closed = false;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.on('error', (error: unknown) => {
    if (isClosedOutputError(error)) {
      closed = true;
      return;
    }
    // Anything else is not ours to hide: the same uncaught failure as without this listener.
    throw error;
  });
  const guarded = (...args: unknown[]): boolean => {
    if (!closed) {
      try {
        return write(...args);
      } catch (error) {
        if (!isClosedOutputError(error)) throw error;
        closed = true;
      }
    }
    // Dropped: still call a callback, as a write that went through would.
    const callback = args.find((arg): arg is () => void => typeof arg === 'function');
    if (callback !== undefined) process.nextTick(callback);
    return true;
  };
  stream.write = guarded as Write;
}
