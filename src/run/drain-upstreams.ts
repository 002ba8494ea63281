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
 * no longer knows that address at all. With several Caddy instances, every
 * one is polled and all must report zero (docs/multi-instance.md).
 */
export async function drainUpstreams(
  admins: CaddyAdmin | readonly CaddyAdmin[],
  dials: readonly string[],
  options: { timeoutMs: number; logger: Logger; signal: AbortSignal },
): Promise<DrainResult> {
  const all: readonly CaddyAdmin[] = Array.isArray(admins) ? (admins as readonly CaddyAdmin[]) : [admins as CaddyAdmin];
  const started = performance.now();
  const wanted = new Set(dials);
  let lastReported = -1;
  for (;;) {
    // Every instance at once: the old color is drained when no Caddy has a request in flight to it.
    const perInstance = await Promise.all(all.map(async (admin) => ({ admin, rows: await admin.readUpstreams() })));
    const remaining: Record<string, number> = {};
    for (const { admin, rows } of perInstance) {
      for (const row of rows) {
        if (!wanted.has(row.address) || row.numRequests <= 0) continue;
        // One Caddy: keyed by dial, as always; several: which instance still has them, too.
        const key = all.length === 1 ? row.address : `${row.address} (Caddy at ${admin.address.text})`;
        remaining[key] = (remaining[key] ?? 0) + row.numRequests;
      }
    }
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
