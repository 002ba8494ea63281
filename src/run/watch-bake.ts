import type { Color } from '../config/model.js';
import { aggregateTraffic, type DialOwner } from '../domain/aggregate-traffic.js';
import { judgeBake, type BakeBaseline, type BakeVerdict } from '../domain/bake-verdict.js';
import { formatDuration } from '../domain/format-duration.js';
import type { Roundtrip } from '../domain/parse-roundtrip-line.js';
import type { Logger } from '../log.js';
import type { TrafficLogReader } from './traffic-log-reader.js';
import type { RealTrafficSettings } from './watch-real-traffic.js';

/** A look during the bake: still taking the reference (plain switch), or a verdict against the baseline. */
export type BakeLook = { kind: 'reference'; requests: number } | ({ kind: 'judged' } & BakeVerdict);

export interface BakeWatch {
  look(): Promise<BakeLook>;
  /** The baseline, once there is one: given (after a canary) or taken from the reference window. */
  baseline(): BakeBaseline | undefined;
  close(): Promise<void>;
}

export interface BakeWatchOptions {
  color: Color;
  /** The new color's dials (and the old color's: their late round trips are not the new color's). */
  owners: ReadonlyMap<string, DialOwner>;
  settings: RealTrafficSettings;
  /** After a canary: the old color's real traffic in its last window. Else the first `referenceMs` after the warm-up is the baseline. */
  baseline: BakeBaseline | undefined;
  referenceMs: number;
  /** Latency is judged only on round trips after this long (the new color's warm-up). */
  warmupMs: number;
  logger: Logger;
  nowMs?: () => number;
}

/**
 * Watches the new color's real traffic after the full switch, a look at a
 * time: each look compares its last window with the baseline (judgeBake).
 * Without a given baseline (a plain blue-green switch: the old color's traffic
 * was never logged, see docs/bake.md) the window right after the warm-up is
 * the reference, and later windows are judged against it, so a version that
 * starts failing after the switch is caught. Probes are left out.
 */
export function watchBake(reader: TrafficLogReader, options: BakeWatchOptions): BakeWatch {
  const now = options.nowMs ?? Date.now;
  const startedMs = now();
  const latencyFromMs = startedMs + options.warmupMs;
  const referenceEndMs = latencyFromMs + options.referenceMs;
  let baseline = options.baseline;
  let kept: Roundtrip[] = [];
  let warned = false;
  const judgeFromMs = baseline === undefined ? referenceEndMs : startedMs;
  return {
    baseline: () => baseline,
    async look() {
      const atMs = now();
      try {
        const piece = await reader.take();
        for (const r of piece.roundtrips) if (r.preview !== true && options.owners.get(r.dial)?.color === options.color) kept.push(r);
      } catch (error) {
        if (!warned) {
          warned = true;
          options.logger.warn({ event: 'traffic.unreadable', err: String(error) }, `could not read Caddy's traffic log (${reader.describe}) during the bake: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (baseline === undefined) {
        if (atMs < referenceEndMs) return { kind: 'reference', requests: kept.filter((r) => r.atMs >= latencyFromMs).length };
        const reference = aggregateTraffic(kept, options.owners, { fromMs: latencyFromMs, toMs: referenceEndMs }).colors[options.color];
        baseline = { traffic: reference, name: `${options.color} in its first ${formatDuration(options.referenceMs)} after the warm-up` };
        options.logger.info(
          { event: 'bake.reference', requests: reference.total.requests, errors: reference.total.errors, p99Ms: reference.total.p99Ms },
          `  bake: reference taken, ${reference.total.errors}/${reference.total.requests} errors${reference.total.p99Ms === undefined ? '' : `, p99 ${formatDuration(reference.total.p99Ms)}`}`,
        );
      }
      const fromMs = Math.max(judgeFromMs, atMs - options.settings.windowMs);
      kept = kept.filter((r) => r.atMs >= fromMs);
      const window = aggregateTraffic(kept, options.owners, { fromMs, toMs: atMs + 1 }, { latencyFromMs });
      return { kind: 'judged', ...judgeBake(window, options.color, baseline, options.settings.thresholds) };
    },
    close: () => reader.close(),
  };
}
