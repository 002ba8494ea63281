import type { Color } from '../config/model.js';
import { aggregateTraffic, type DialOwner } from '../domain/aggregate-traffic.js';
import { compareColors } from '../domain/compare-colors.js';
import type { Roundtrip } from '../domain/parse-roundtrip-line.js';
import type { RealTrafficThresholds } from '../domain/real-traffic-thresholds.js';
import { realTrafficVerdict, type RealTrafficVerdict } from '../domain/real-traffic-verdict.js';
import { routePattern } from '../domain/route-pattern.js';
import { formatDuration } from '../domain/format-duration.js';
import type { Logger } from '../log.js';
import type { TrafficLogReader } from './traffic-log-reader.js';

/** How the real traffic is judged: the thresholds, the sliding window, the routes left out. */
export interface RealTrafficSettings {
  thresholds: RealTrafficThresholds;
  /** Each look judges the round trips logged in the last `windowMs` (since the canary's first step at most). */
  windowMs: number;
  /** Routes (`GET /users/:id`, as routePattern writes them) left out of the analysis. */
  ignoreRoutes: readonly string[];
}

/** After this long without a single line (the probes alone write some), the log is not working: said once. */
const SILENT_LOG_MS = 3_000;

export interface RealTrafficWatch {
  /** Which service and color each dial reaches; a step adds its dials (they stay: late round trips of an old dial still count). */
  addOwners(owners: ReadonlyMap<string, DialOwner>): void;
  /**
   * Latency is judged only on round trips that ended at or after `ms` (epoch):
   * the canary sets it to its first step's change plus the warm-up. Errors are
   * always counted. Until it is called, every round trip is a latency sample.
   */
  judgeLatencyFrom(ms: number): void;
  /** Reads what Caddy logged since the previous look and judges the last window. Never throws: a read failure is warned about and judged on what was read. */
  look(): Promise<RealTrafficVerdict>;
  close(): Promise<void>;
}

/**
 * Sliding windows over the real traffic of both colors: at each look, the
 * round trips logged since the previous look are added, those older than the
 * window dropped, and the window compared (compareColors: new against old on
 * the same traffic). cutover's own probes (they carry the preview header) are
 * not real traffic and are left out. Unparseable lines are counted and warned
 * about once per window, never a crash.
 */
export function watchRealTraffic(
  reader: TrafficLogReader,
  options: { colors: { old: Color; new: Color }; settings: RealTrafficSettings; logger: Logger; nowMs?: () => number },
): RealTrafficWatch {
  const now = options.nowMs ?? Date.now;
  const startedMs = now();
  const { logger, colors, settings } = options;
  const ignored = new Set(settings.ignoreRoutes);
  const owners = new Map<string, DialOwner>();
  let kept: Roundtrip[] = [];
  let linesSeen = 0;
  let silentWarned = false;
  let readWarned = false;
  let unparseableInWindow = 0;
  let unparseableWarnedAt = Number.NEGATIVE_INFINITY;
  let latencyFromMs: number | undefined;

  return {
    addOwners(more) {
      for (const [dial, owner] of more) {
        const known = owners.get(dial);
        if (known !== undefined && (known.service !== owner.service || known.color !== owner.color)) {
          logger.warn(
            { event: 'traffic.dial.shared', dial, services: [known.service, owner.service] },
            `${dial} is reached by ${known.service} and ${owner.service}: its round trips are counted for ${known.service} (Caddy's log does not name the handler)`,
          );
          continue;
        }
        owners.set(dial, owner);
      }
    },
    judgeLatencyFrom(ms) {
      latencyFromMs = ms;
    },
    async look() {
      const atMs = now();
      try {
        const piece = await reader.take();
        linesSeen += piece.roundtrips.length;
        for (const roundtrip of piece.roundtrips) {
          if (roundtrip.preview === true) continue;
          if (ignored.size > 0 && ignored.has(routePattern(roundtrip.method, roundtrip.path))) continue;
          kept.push(roundtrip);
        }
        if (piece.unparseable > 0) {
          unparseableInWindow += piece.unparseable;
          if (atMs - unparseableWarnedAt >= settings.windowMs) {
            unparseableWarnedAt = atMs;
            logger.warn(
              { event: 'traffic.unparseable', lines: piece.unparseable, reason: piece.firstUnparseable },
              `${piece.unparseable} line(s) of Caddy's traffic log (${reader.describe}) could not be read (${piece.firstUnparseable ?? 'unknown'}); they are counted and left out`,
            );
          }
        }
      } catch (error) {
        if (!readWarned) {
          readWarned = true;
          logger.warn({ event: 'traffic.unreadable', err: String(error) }, `could not read Caddy's traffic log (${reader.describe}): ${error instanceof Error ? error.message : String(error)}; judging by what was read and by the probes`);
        }
      }
      if (linesSeen === 0 && !silentWarned && atMs - startedMs >= SILENT_LOG_MS) {
        silentWarned = true;
        logger.warn(
          { event: 'traffic.silent', source: reader.describe },
          `no round trip in Caddy's traffic log (${reader.describe}) after ${formatDuration(atMs - startedMs)}, not even the probes': the log is not working (can Caddy write there?); the step is judged by the probes`,
        );
      }
      const fromMs = Math.max(startedMs, atMs - settings.windowMs);
      if (kept.length > 0 && (kept[0]?.atMs ?? 0) < fromMs) {
        kept = kept.filter((r) => r.atMs >= fromMs);
        if (unparseableWarnedAt < fromMs) unparseableInWindow = 0;
      }
      const traffic = aggregateTraffic(kept, owners, { fromMs, toMs: atMs + 1 }, latencyFromMs === undefined ? {} : { latencyFromMs });
      const comparison = compareColors(traffic, colors.new, colors.old, settings.thresholds);
      return { ...realTrafficVerdict(traffic, comparison, colors, { unparseable: unparseableInWindow }), traffic };
    },
    close: () => reader.close(),
  };
}
