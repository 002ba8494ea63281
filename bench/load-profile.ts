import { startLoad, type LoadOptions, type LoadRun } from '../test/rig/load-client.js';

/**
 * The load of the end-to-end deploy test, for every scenario alike: 4
 * keep-alive and 2 fresh-connection clients (GET /version, every 5th request
 * a POST /echo) and 2 clients sending 2 s requests one after another.
 */
export const LOAD_PROFILE: Omit<LoadOptions, 'baseUrl' | 'maxDurationMs'> = {
  keepAliveClients: 4,
  freshClients: 2,
  slowClients: 2,
  slowMs: 2000,
  postEvery: 5,
};

/** Upper bound of one scenario's load; it stops by itself even if the benchmark hangs. */
const MAX_LOAD_MS = 120_000;

export function startBenchLoad(baseUrl: string): LoadRun {
  return startLoad({ ...LOAD_PROFILE, baseUrl, maxDurationMs: MAX_LOAD_MS });
}

/** Waits until slow requests have completed, so one is in flight at every later moment (at most 10 s). */
export async function waitForSteadyLoad(load: LoadRun, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (load.samples.filter((s) => s.kind === 'slow').length < LOAD_PROFILE.slowClients) {
    signal.throwIfAborted();
    if (Date.now() > deadline) throw new Error('the load did not complete its first slow requests within 10 s');
    await pause(50, signal);
  }
}

export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
