import { z } from 'zod';
import { OperationFailedError } from '../../errors.js';

/**
 * One row of `GET /reverse_proxy/upstreams`: runtime counters of a dial address,
 * shared by every handler that dials it.
 */
export interface UpstreamStatus {
  /** The `dial` string exactly as written in the config, e.g. `platform-blue:3000`. */
  address: string;
  /** Requests in flight to this address right now (a WebSocket counts for its whole life). */
  numRequests: number;
  /** Passive health-check failures; only counted with `fail_duration` > 0, and reset by every reload. */
  fails: number;
}

// Caddy lists each address once, in random order. Unknown fields are dropped.
const upstreamRows = z
  .array(z.object({ address: z.string(), num_requests: z.number().int().nonnegative(), fails: z.number().int() }))
  .nullable(); // an empty pool encodes as `null` in Go; treat it as no rows

export function parseUpstreams(body: unknown): UpstreamStatus[] {
  const parsed = upstreamRows.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at [${issue.path.join('.')}]: ${issue.message}`;
    throw new OperationFailedError(`unexpected answer from Caddy for GET /reverse_proxy/upstreams${where}`, {
      hint: 'cutover expects rows of {address, num_requests, fails} (Caddy 2.4+).',
    });
  }
  return (parsed.data ?? []).map((row) => ({ address: row.address, numRequests: row.num_requests, fails: row.fails }));
}
