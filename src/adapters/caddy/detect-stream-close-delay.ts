import type { CaddyAdmin } from './caddy-admin.js';

/**
 * Whether this Caddy knows reverse_proxy's `stream_close_delay` (2.7+), asked
 * through `POST /adapt` (converts, loads nothing): an older Caddy refuses the
 * unknown subdirective with a 4xx. Never learnt by sending a config: a failed
 * load can leave Caddy's upstreams broken until it restarts (docs/caddy-facts.md).
 * Any failure answers false: the switch then goes out exactly as without the feature.
 */
export async function detectStreamCloseDelay(admin: CaddyAdmin): Promise<boolean> {
  try {
    const adapted = await admin.adapt('http://127.0.0.1:9 {\n\treverse_proxy 127.0.0.1:7 {\n\t\tstream_close_delay 1s\n\t}\n}\n');
    return JSON.stringify(adapted.config).includes('"stream_close_delay"');
  } catch {
    // 4xx: an unknown subdirective (before 2.7). Unreachable: the switch that follows meets the same and reports it in its own terms.
    return false;
  }
}
