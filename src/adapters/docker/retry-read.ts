import pRetry from 'p-retry';
import { isTransientConnectionError } from './docker-failure.js';

/**
 * Runs a READ against the engine (inspect, list, ping), retrying only when the
 * connection itself failed in a way that may pass (refused, reset). Never used
 * for create, start, stop or remove: repeating those is not safe, and the
 * caller must see the first failure.
 */
export async function retryRead<T>(read: () => Promise<T>): Promise<T> {
  return pRetry(read, {
    retries: 2,
    minTimeout: 150,
    factor: 2,
    randomize: false,
    shouldRetry: ({ error }) => isTransientConnectionError(error),
  });
}
