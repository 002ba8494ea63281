import type { CanaryAnalysis } from './analyze-canary.js';

/**
 * The figures of an analysis as flat numbers for the state file, by role (the
 * colors are stored next to them): `old.probes`, `old.errors`, `old.resets`,
 * `old.errorRate`, `old.p50Ms`, `old.p99Ms`, the same for `new.`, `caddyFails`
 * (absent when it was not read) and `elapsedMs`.
 */
export function flattenFigures(result: Pick<CanaryAnalysis, 'figures' | 'elapsedMs' | 'real'>): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const role of ['old', 'new'] as const) {
    for (const [key, value] of Object.entries(result.figures[role])) {
      // Latencies to 0.1 ms: finer digits are timer noise, and they fill the state file.
      flat[`${role}.${key}`] = key.endsWith('Ms') ? Math.round(value * 10) / 10 : value;
    }
  }
  if (result.figures.caddyFails !== undefined) flat.caddyFails = result.figures.caddyFails;
  flat.elapsedMs = Math.round(result.elapsedMs);
  // The real traffic's figures (real.new.requests, real.route.<service> <route>.new.errors, ...): see real-traffic-verdict.ts.
  Object.assign(flat, result.real?.figures ?? {});
  return flat;
}
