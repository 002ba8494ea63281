import { readFileSync } from 'node:fs';
import { OperationFailedError } from '../errors.js';
import type { Logger } from '../log.js';
import { displayPath, stateFilePath } from '../state/state-paths.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** What the journal says is still open, in words, read without any await (the process is about to die). */
function openOperation(stateDir: string | undefined): string | undefined {
  if (stateDir === undefined) return undefined;
  try {
    const state = JSON.parse(readFileSync(stateFilePath(stateDir), 'utf8')) as { operation?: { kind?: string; toVersion?: string; phase?: string } | null };
    const op = state.operation;
    return op === null || op === undefined ? undefined : `the ${op.kind ?? 'operation'} to ${op.toVersion ?? '?'} in phase ${op.phase ?? '?'}`;
  } catch {
    return undefined;
  }
}

/**
 * Runs an operation with an AbortSignal that fires on the first SIGINT,
 * SIGTERM or SIGHUP (a dropped SSH session), so the operation can stop at a
 * safe point and undo what it did. A second signal says what is left undone
 * (the journal keeps it: the next command settles it), then lets the signal's
 * default end the process at once.
 */
export async function withInterrupt<T>(logger: Logger, operation: (signal: AbortSignal) => Promise<T>, options: { stateDir?: string } = {}): Promise<T> {
  const controller = new AbortController();
  const remove = (): void => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      logger.warn({ event: 'interrupt', signal }, `${signal}: stopping at the next safe point and undoing what this command changed (send it again to exit at once)`);
      controller.abort(new OperationFailedError(`interrupted by ${signal}`));
      return;
    }
    const open = openOperation(options.stateDir);
    const file = options.stateDir === undefined ? 'the state file' : displayPath(stateFilePath(options.stateDir));
    logger.error(
      { event: 'interrupt.again', signal, open: open ?? null },
      open === undefined
        ? `${signal} again: exiting now; nothing is left open in ${file}`
        : `${signal} again: exiting now, before undoing ${open}; ${file} records it, and the next cutover command (or cutover reconcile) finishes or undoes it`,
    );
    remove();
    process.kill(process.pid, signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    return await operation(controller.signal);
  } finally {
    remove();
  }
}
