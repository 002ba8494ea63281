import { request } from 'undici';
import { sleep } from '../src/sleep.js';

/** One look at Caddy's `GET /reverse_proxy/upstreams`: passive-health `fails` per dial. */
export interface UpstreamLook {
  at: number;
  fails: Record<string, number>;
}

export interface UpstreamWatch {
  stop(): Promise<UpstreamLook[]>;
}

/**
 * Polls Caddy's upstream list every `everyMs` until stopped (at most
 * `maxMs`), so a report can say when Caddy counted a color's failed requests
 * (with `max_fails` reached, the color gets no traffic until they expire
 * after `fail_duration`, even when its active health check passes).
 */
export function watchUpstreams(adminAddress: string, everyMs = 200, maxMs = 120_000): UpstreamWatch {
  const looks: UpstreamLook[] = [];
  const deadline = Date.now() + maxMs;
  let running = true;
  const loop = (async () => {
    while (running && Date.now() < deadline) {
      try {
        const answer = await request(`${adminAddress}/reverse_proxy/upstreams`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
        const rows = (await answer.body.json()) as Array<{ address: string; fails: number }>;
        looks.push({ at: Date.now(), fails: Object.fromEntries(rows.map((r) => [r.address, r.fails])) });
      } catch {
        // A missed look is only a gap in the record.
      }
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return looks;
    },
  };
}

/** Within [from, to): the most failures Caddy counted for `dial`, and the last time it counted at least `atLeast`. */
export function readFails(looks: readonly UpstreamLook[], dial: string, atLeast: number, from: number, to: number): { maxFails: number; lastAtLeast: number | undefined } {
  let maxFails = 0;
  let lastAtLeast: number | undefined;
  for (const look of looks) {
    if (look.at < from || look.at >= to) continue;
    const fails = look.fails[dial] ?? 0;
    maxFails = Math.max(maxFails, fails);
    if (fails >= atLeast) lastAtLeast = look.at;
  }
  return { maxFails, lastAtLeast };
}
