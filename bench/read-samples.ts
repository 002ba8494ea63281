import type { LoadSample } from '../test/rig/load-client.js';

/**
 * Pure figures over the load's samples; times are the client's (Date.now()),
 * and "new request" means a request that *started* in the window: a slow
 * request that started before a switch and finishes on the old version is
 * an in-flight request being drained, not a mixed answer.
 */

export interface WindowCounts {
  requests: number;
  failed: number;
  /** Resets of a reused connection before any response byte, each retried once. */
  resets: number;
  errors: string[];
}

export function countWindow(samples: readonly LoadSample[], from: number, to: number): WindowCounts {
  const inWindow = samples.filter((s) => s.startedAt >= from && s.startedAt < to);
  // The bench reports a new connection reset at a reload with the failures (the tests count it apart).
  const failed = inWindow.filter((s) => s.error !== undefined || s.freshReset);
  return {
    requests: inWindow.length,
    failed: failed.length,
    resets: inWindow.reduce((sum, s) => sum + s.resets, 0),
    errors: [...new Set(failed.map((s) => `${s.kind}/${s.connection}: ${s.error ?? 'new connection reset at a reload'}`))].slice(0, 5),
  };
}

export interface VersionShift {
  /** Start of the last new request answered by the old version, if any. */
  lastOldAt: number | undefined;
  /** Start of the first new request answered by the new version, if any. */
  firstNewAt: number | undefined;
  /** Time during which both versions answered new requests: lastOld - firstNew when positive, else 0. */
  mixedMs: number;
  /** Requests answered by the old version that started after the first new-version answer. */
  oldAfterNew: number;
  /** Requests answered by the new version in the window. */
  newAnswers: number;
}

/** How traffic moved from `oldVersion` to `newVersion` among the requests that started in [from, to). */
export function readVersionShift(samples: readonly LoadSample[], from: number, to: number, oldVersion: string, newVersion: string): VersionShift {
  const answered = samples.filter((s) => s.startedAt >= from && s.startedAt < to && s.version !== undefined);
  const olds = answered.filter((s) => s.version === oldVersion).map((s) => s.startedAt);
  const news = answered.filter((s) => s.version === newVersion).map((s) => s.startedAt);
  const lastOldAt = olds.length > 0 ? Math.max(...olds) : undefined;
  const firstNewAt = news.length > 0 ? Math.min(...news) : undefined;
  const mixedMs = lastOldAt !== undefined && firstNewAt !== undefined ? Math.max(0, lastOldAt - firstNewAt) : 0;
  const oldAfterNew = firstNewAt === undefined ? 0 : olds.filter((t) => t > firstNewAt).length;
  return { lastOldAt, firstNewAt, mixedMs, oldAfterNew, newAnswers: news.length };
}

export interface InFlightOutcome {
  inFlight: number;
  outcomes: string[];
}

/** Slow requests that were in flight at `at`, and how each ended ("200 v1", or the error). */
export function slowInFlightAt(samples: readonly LoadSample[], at: number): InFlightOutcome {
  const across = samples.filter((s) => s.kind === 'slow' && s.startedAt < at && s.endedAt > at);
  return { inFlight: across.length, outcomes: across.map((s) => (s.error === undefined ? `${s.status} ${s.version}` : s.error)) };
}

export interface LoadShape {
  /** From the first request's start to the last one's end. */
  seconds: number;
  perSecond: number;
  /** Latency of the plain GETs (not the 2 s requests), milliseconds. */
  getP50: number;
  getP99: number;
}

export function readLoadShape(samples: readonly LoadSample[]): LoadShape {
  if (samples.length === 0) return { seconds: 0, perSecond: 0, getP50: 0, getP99: 0 };
  const first = Math.min(...samples.map((s) => s.startedAt));
  const last = Math.max(...samples.map((s) => s.endedAt));
  const seconds = Math.max(0.001, (last - first) / 1000);
  const gets = samples.filter((s) => s.kind === 'get').map((s) => s.endedAt - s.startedAt).sort((a, b) => a - b);
  const at = (q: number): number => gets[Math.min(gets.length - 1, Math.floor(q * gets.length))] ?? 0;
  return { seconds, perSecond: samples.length / seconds, getP50: at(0.5), getP99: at(0.99) };
}
