import type { Color } from '../src/config/model.js';
import type { LoadSample } from '../test/rig/load-client.js';
import { summarizeCaddyErrors } from './caddy-errors.js';
import { MAX_FAILS } from './passive-caddyfile.js';
import { formatMs } from './progress.js';
import { slowInFlightAt } from './read-samples.js';
import { readFails, type UpstreamLook } from './watch-upstreams.js';

type Phase = 'deploy' | 'rollback';

export interface PassiveRun {
  samples: readonly LoadSample[];
  looks: readonly UpstreamLook[];
  caddyLogs: string;
  /** The loaded service's dial per color, as Caddy lists it. */
  dials: (color: Color) => string;
  windows: Record<Phase, readonly [number, number]>;
  stops: Record<Phase, { what: string; at: number | undefined; ms: number }>;
}

/**
 * The baseline's notes: what `docker stop` did to the 2 s requests in flight,
 * how many failures Caddy's passive health counted per color (and how long a
 * color stayed at max_fails, when Caddy skips it), and Caddy's error log.
 */
export function describePassiveRun(run: PassiveRun): string[] {
  const notes: string[] = [];
  for (const phase of ['deploy', 'rollback'] as const) {
    const stop = run.stops[phase];
    if (stop.at === undefined) continue;
    const slow = slowInFlightAt(run.samples, stop.at);
    notes.push(`${phase}: ${stop.what} took ${formatMs(stop.ms)}; ${slow.inFlight} slow request(s) in flight then: ${slow.outcomes.join(', ') || 'none'}`);
  }
  for (const phase of ['deploy', 'rollback'] as const) {
    const [from, to] = run.windows[phase];
    for (const color of ['blue', 'green'] as const) {
      const fails = readFails(run.looks, run.dials(color), MAX_FAILS, from, to);
      if (fails.maxFails === 0) continue;
      const skipped = fails.lastAtLeast === undefined ? '' : `; at least ${MAX_FAILS} (max_fails: Caddy skips it) until ${formatMs(fails.lastAtLeast - from)} into the ${phase}`;
      notes.push(`${phase}: Caddy counted up to ${fails.maxFails} failed request(s) against ${color}${skipped}`);
    }
  }
  const caddyErrors = summarizeCaddyErrors(run.caddyLogs);
  if (caddyErrors.length > 0) notes.push(`Caddy's error log: ${caddyErrors.join('; ')}`);
  return notes;
}
