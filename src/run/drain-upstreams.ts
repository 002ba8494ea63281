import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import type { Logger } from '../log.js';
import { sleep } from '../sleep.js';

export interface DrainResult {
  drained: boolean;
  ms: number;
  /** Requests still in flight per dial when the drain gave up (empty when drained). */
  remaining: Record<string, number>;
}

const POLL_MS = 100;

/**
 * Waits until Caddy reports no request in flight to any of `dials`, at most
 * `timeoutMs`. A dial missing from /reverse_proxy/upstreams counts as drained:
 * Caddy lists only addresses its config still references, and cutover's
 * preview routes keep the old color referenced, so a missing row means Caddy
 * no longer knows that address at all.
 */
export async function drainUpstreams(
  admin: CaddyAdmin,
  dials: readonly string[],
  options: { timeoutMs: number; logger: Logger; signal: AbortSignal },
): Promise<DrainResult> {
  const started = performance.now();
  const wanted = new Set(dials);
  let lastReported = -1;
  for (;;) {
    const rows = await admin.readUpstreams();
    const remaining: Record<string, number> = {};
    for (const row of rows) if (wanted.has(row.address) && row.numRequests > 0) remaining[row.address] = (remaining[row.address] ?? 0) + row.numRequests;
    const total = Object.values(remaining).reduce((sum, n) => sum + n, 0);
    const ms = Math.round(performance.now() - started);
    if (total === 0) return { drained: true, ms, remaining: {} };
    if (total !== lastReported) {
      options.logger.info({ event: 'drain.progress', inFlight: total, remaining }, `draining: ${total} request(s) still in flight to the old color`);
      lastReported = total;
    }
    if (ms >= options.timeoutMs) return { drained: false, ms, remaining };
    options.signal.throwIfAborted();
    await sleep(POLL_MS, options.signal);
  }
}
