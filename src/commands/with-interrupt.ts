import { OperationFailedError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * Runs an operation with an AbortSignal that fires on the first SIGINT,
 * SIGTERM or SIGHUP (a dropped SSH session), so the operation can stop at a
 * safe point and undo what it did.
 * A second signal is left to Node's default (exit at once).
 */
export async function withInterrupt<T>(logger: Logger, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.warn({ event: 'interrupt', signal }, `${signal}: stopping at the next safe point and undoing what this command changed (send it again to exit at once)`);
    controller.abort(new OperationFailedError(`interrupted by ${signal}`));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    return await operation(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
