import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { judgeCanary, type CanaryColors, type CanaryFigures, type CanaryThresholds } from '../domain/canary-verdict.js';
import { colorFigures, emptyTally, type ProbeTally } from '../domain/color-figures.js';
import { describeCanaryFigures } from '../domain/describe-canary-figures.js';
import { formatDuration } from '../domain/format-duration.js';
import type { RealTrafficVerdict } from '../domain/real-traffic-verdict.js';
import type { Logger } from '../log.js';
import { probeColors, type ProbeResult } from './probe-colors.js';
import { sleep } from '../sleep.js';

export interface AnalyzeCanaryOptions {
  admin: Pick<CaddyAdmin, 'readUpstreams'>;
  /** Probed through Caddy for both colors at once, e.g. `http://127.0.0.1:8080/health`. */
  probeUrl: string;
  colors: CanaryColors;
  /** The new color's dial addresses, as in Caddy's config: their passive health `fails` are summed. */
  newDials: readonly string[];
  /** One step interval. The analysis may end earlier (a failure) or up to one probe timeout later (probes in flight). */
  durationMs: number;
  /** Missing fields take DEFAULT_CANARY_THRESHOLDS. */
  thresholds?: Partial<CanaryThresholds>;
  /** Aborting cancels the probes and rejects with the signal's reason. */
  signal: AbortSignal;
  logger: Logger;
  /** Called about once a second and at the end, with the figures so far. If it throws, the analysis stops and rejects with that error. */
  onFigures?: (figures: CanaryFigures) => void;
  /** Default 100 ms per color. */
  probeIntervalMs?: number;
  /** Default 5 000 ms. */
  probeTimeoutMs?: number;
  /** Host header of the probes, for sites Caddy matches by name. */
  probeHost?: string | undefined;
  /** How often Caddy's upstream counters are read. Default 1 000 ms. */
  upstreamsPollMs?: number;
  /**
   * Asked every `abortPollMs` (default 200 ms): true ends the analysis at once,
   * not ok, with the reason `stopped by cutover abort`. If it throws, the
   * analysis stops and rejects with that error.
   */
  abortRequested?: () => Promise<boolean>;
  abortPollMs?: number;
  /**
   * The real traffic of both colors, looked at with Caddy's counters (every
   * `upstreamsPollMs`) and once at the end: `worse` ends the analysis at once,
   * not ok; `inconclusive` and `ok` leave the verdict to the probes.
   */
  realTraffic?: { look(): Promise<RealTrafficVerdict> } | undefined;
  /** Called with each look at the real traffic (for the log and the state file). */
  onRealTraffic?: (look: RealTrafficVerdict) => Promise<void> | void;
}

export interface CanaryAnalysis {
  ok: boolean;
  /** Why the step failed; the figures are in `figures`. */
  reason?: string;
  /**
   * Probe figures of both colors over the same interval, and `caddyFails`: the
   * highest sum of the new dials' passive health `fails` seen during the step.
   * Caddy counts those only when the handler has passive health checks
   * (`fail_duration` > 0; 5xx answers only with `unhealthy_status`), and every
   * reload resets them: a canary step is one reload, so they count this step's
   * failures only. Undefined when Caddy's counters could not be read.
   */
  figures: CanaryFigures;
  /** The last look at the real traffic; undefined without a real-traffic watch. */
  real?: RealTrafficVerdict | undefined;
  elapsedMs: number;
}

const DEFAULT_UPSTREAMS_POLL_MS = 1_000;
const DEFAULT_ABORT_POLL_MS = 200;
export const ABORT_REQUESTED_REASON = 'stopped by cutover abort';

/**
 * Analyses one canary step: probes both colors through Caddy for `durationMs`
 * and reads Caddy's passive health counters of the new color each second. The
 * verdict is evaluated after every probe, so a new color that starts failing is
 * caught within a few probe intervals, not at the end of the step. A step that
 * ends without enough probes of the new color for a verdict is not ok.
 */
export async function analyzeCanary(options: AnalyzeCanaryOptions): Promise<CanaryAnalysis> {
  const { colors, logger, signal } = options;
  signal.throwIfAborted();
  const thresholds = options.thresholds ?? {};
  const pollMs = options.upstreamsPollMs ?? DEFAULT_UPSTREAMS_POLL_MS;
  const newDials = new Set(options.newDials);
  const started = performance.now();
  const tallies: Record<'old' | 'new', ProbeTally> = { old: emptyTally(), new: emptyTally() };
  let caddyFails: number | undefined;
  let real: RealTrafficVerdict | undefined;
  let failure: { reason: string } | { error: unknown } | undefined;
  let wake: () => void = () => undefined;
  const woken = new Promise<void>((resolve) => (wake = resolve));

  const figures = (): CanaryFigures => ({ old: colorFigures(tallies.old), new: colorFigures(tallies.new), caddyFails });
  const judge = (): void => {
    if (failure !== undefined) return;
    const verdict = judgeCanary(figures(), thresholds, colors);
    if (!verdict.ok) {
      failure = { reason: verdict.reason };
      wake();
    }
  };
  const report = (): void => {
    if (options.onFigures === undefined || failure !== undefined) return;
    try {
      options.onFigures(figures());
    } catch (error) {
      failure = { error };
      wake();
    }
  };
  const onResult = (result: ProbeResult): void => {
    const tally = result.color === colors.new ? tallies.new : tallies.old;
    tally.probes += 1;
    if (result.reset) tally.resets += 1;
    if (result.error) tally.errors += 1;
    else tally.latenciesMs.push(result.latencyMs);
    if (result.error && result.color === colors.new) {
      logger.debug({ event: 'canary.probe.failed', color: result.color, failure: result.failure }, `probe of ${result.color} failed: ${result.failure ?? 'error'}`);
    }
    judge();
  };
  const lookAtRealTraffic = async (): Promise<void> => {
    if (options.realTraffic === undefined || failure !== undefined) return;
    real = await options.realTraffic.look();
    try {
      await options.onRealTraffic?.(real);
    } catch (error) {
      failure ??= { error };
      wake();
      return;
    }
    if (real.verdict === 'worse' && failure === undefined) {
      failure = { reason: real.reason ?? `${colors.new} is worse than ${colors.old} on real traffic` };
      wake();
    }
  };
  const readFails = async (): Promise<void> => {
    try {
      const rows = await options.admin.readUpstreams();
      const sum = rows.filter((row) => newDials.has(row.address)).reduce((total, row) => total + row.fails, 0);
      // Caddy forgets a failure after fail_duration: keep the highest count seen in this step.
      caddyFails = Math.max(caddyFails ?? 0, sum);
    } catch (error) {
      logger.warn(
        { event: 'canary.upstreams.unreadable', err: error instanceof Error ? error.message : String(error) },
        `could not read Caddy's upstream counters; judging ${colors.new} by probes alone for now`,
      );
    }
  };

  logger.debug({ event: 'canary.analysis.start', colors, durationMs: options.durationMs, probeUrl: options.probeUrl }, `analysing ${colors.new} against ${colors.old} for ${formatDuration(options.durationMs)}`);
  const probes = probeColors({
    url: options.probeUrl,
    colors: [colors.old, colors.new],
    intervalMs: options.probeIntervalMs,
    timeoutMs: options.probeTimeoutMs,
    host: options.probeHost,
    signal,
    onResult,
  });

  // Caddy's counters, about once a second, until the step is over; bounded by `polling`.
  const polling = new AbortController();
  const poller = (async () => {
    while (!polling.signal.aborted) {
      await readFails();
      if (polling.signal.aborted) return;
      await lookAtRealTraffic();
      if (polling.signal.aborted) return;
      judge();
      report();
      logger.debug({ event: 'canary.analysis.figures', figures: figures() }, describeCanaryFigures(figures(), colors));
      // Aborting `polling` cuts the wait short; the loop's condition then ends the loop.
      await sleep(pollMs, polling.signal).catch(() => undefined);
    }
  })();

  // A request from `cutover abort` in another process, a few times a second. Awaited
  // before returning: a request taken by a call still running must not be lost.
  const abortPolling = pollAbortRequests();
  async function pollAbortRequests(): Promise<void> {
    const abortRequested = options.abortRequested;
    if (abortRequested === undefined) return;
    while (!polling.signal.aborted && failure === undefined) {
      try {
        if (await abortRequested()) {
          failure ??= { reason: ABORT_REQUESTED_REASON };
          wake();
        }
      } catch (error) {
        failure ??= { error };
        wake();
      }
      await sleep(options.abortPollMs ?? DEFAULT_ABORT_POLL_MS, polling.signal).catch(() => undefined);
    }
  }

  let onAbort: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  signal.addEventListener('abort', onAbort, { once: true });
  let durationTimer: NodeJS.Timeout | undefined;
  const stepOver = new Promise<void>((resolve) => (durationTimer = setTimeout(resolve, Math.max(0, options.durationMs))));

  try {
    await Promise.race([stepOver, woken, aborted]);
    if (failure === undefined && !signal.aborted) {
      // The step is over: no new probes; the ones in flight still count (each ends within its timeout).
      await Promise.race([probes.finish(), woken, aborted]);
    }
  } finally {
    clearTimeout(durationTimer);
    signal.removeEventListener('abort', onAbort);
    polling.abort();
    // A failure returns at once: the probes in flight are cancelled, not awaited.
    await probes.cancel();
    await abortPolling;
    // The poll under way ends first: its state write (onRealTraffic) must not race the caller's next one.
    await poller;
  }
  signal.throwIfAborted();
  if (failure !== undefined && 'error' in failure) throw failure.error;

  if (failure === undefined) {
    // One last read, so failures of the step's final second count too.
    await readFails();
    await lookAtRealTraffic();
    judge();
  }
  const final = figures();
  const elapsedMs = performance.now() - started;
  const pending = failure === undefined ? judgeCanary(final, thresholds, colors) : undefined;
  const reason =
    failure !== undefined && 'reason' in failure
      ? failure.reason
      : pending !== undefined && pending.ok && pending.pending !== undefined
        ? `no verdict after ${formatDuration(elapsedMs)}: ${pending.pending}`
        : undefined;
  const result: CanaryAnalysis = reason === undefined ? { ok: true, figures: final, real, elapsedMs } : { ok: false, reason, figures: final, real, elapsedMs };
  options.onFigures?.(final);
  logger.debug({ event: 'canary.analysis.verdict', ok: result.ok, reason, figures: final, elapsedMs: Math.round(elapsedMs) }, reason ?? `${colors.new} passed: ${describeCanaryFigures(final, colors)}`);
  return result;
}

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
