import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms` milliseconds. When `signal` aborts first (or already has), it
 * rejects with the signal's reason, as `signal.throwIfAborted()` would: the
 * error the aborting side chose (an interrupt's OperationFailedError), not
 * Node's generic AbortError, so callers handle one error either way.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  }
}
