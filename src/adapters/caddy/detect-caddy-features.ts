import type { CaddyFeatures } from '../../domain/weighted-upstreams.js';
import { CaddyRejectedError } from '../../errors.js';
import type { CaddyAdmin } from './caddy-admin.js';

function probeCaddyfile(lbPolicy: string): string {
  // Loopback dials that are never contacted: /adapt only converts, it loads nothing.
  return `http://127.0.0.1:9 {\n\treverse_proxy 127.0.0.1:7 127.0.0.1:8 {\n\t\tlb_policy ${lbPolicy}\n\t}\n}\n`;
}

async function adapts(admin: CaddyAdmin, lbPolicy: string): Promise<string | undefined> {
  try {
    return JSON.stringify((await admin.adapt(probeCaddyfile(lbPolicy))).config);
  } catch (error) {
    // 400: this Caddy does not know the policy (a module not registered).
    if (error instanceof CaddyRejectedError && error.status >= 400 && error.status < 500) return undefined;
    throw error;
  }
}

/**
 * Learns what this Caddy supports for weighted traffic through `POST /adapt`,
 * which converts a Caddyfile to JSON without loading it. Sending a config with
 * an unknown module instead would fail, and a failed load can leave Caddy's
 * upstream list broken until it restarts (docs/caddy-facts.md).
 */
export async function detectCaddyFeatures(admin: CaddyAdmin): Promise<CaddyFeatures> {
  const weighted = await adapts(admin, 'weighted_round_robin 9 1');
  const cookie = await adapts(admin, 'cookie cutover_probe {\n\t\t\tfallback round_robin\n\t\t}');
  return {
    weights: weighted === undefined ? 'duplicates' : 'native',
    // 2.6 parses the block but drops it: only a `fallback` in the result means support.
    cookieFallback: cookie !== undefined && cookie.includes('"fallback"'),
  };
}
