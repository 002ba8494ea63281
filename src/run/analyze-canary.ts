import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { judgeCanary, type CanaryColors, type CanaryFigures, type CanaryThresholds } from '../domain/canary-verdict.js';
import { colorFigures, emptyTally, type ProbeTally } from '../domain/color-figures.js';
import { describeCanaryFigures } from '../domain/describe-canary-figures.js';
import { formatDuration } from '../domain/format-duration.js';
import type { RealTrafficVerdict } from '../domain/real-traffic-verdict.js';
import type { Logger } from '../log.js';
import type { AnalysisCommand } from '../domain/parse-analysis-command.js';
import { startAnalysisChecks, type AnalysisChecks } from './analysis-command-checks.js';
import { probeColors, type ProbeResult, type ProbeRun } from './probe-colors.js';
import { StepFailure } from './step-failure.js';
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
  /**
   * Probes that end before this (epoch ms, as Date.now) count for the error
   * rate but not for latency: the new color's warm-up (docs/canary.md). Both
   * colors alike, so the two p99s cover the same time. Default: none.
   */
  latencyFromMs?: number | undefined;
  /** Called with each look at the real traffic (for the log and the state file). */
  onRealTraffic?: (look: RealTrafficVerdict) => Promise<void> | void;
  /**
   * `--analysis-cmd`: run at once and then once per `upstreamsPollMs` after the
   * previous run ended, one at a time; its first failed run (non-zero exit,
   * timeout, not startable) ends the analysis, not ok. The run in flight when
   * the step's time is over still counts.
   */
  analysisCommand?: { command: AnalysisCommand; cwd: string; env: (look: number) => Record<string, string> } | undefined;
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

/** What one analysis step has seen so far, shared by its loops. */
interface StepContext {
  options: AnalyzeCanaryOptions;
  thresholds: Partial<CanaryThresholds>;
  newDials: ReadonlySet<string>;
  failure: StepFailure;
  tallies: Record<'old' | 'new', ProbeTally>;
  caddyFails: number | undefined;
  real: RealTrafficVerdict | undefined;
}

function figuresOf(step: StepContext): CanaryFigures {
  return { old: colorFigures(step.tallies.old), new: colorFigures(step.tallies.new), caddyFails: step.caddyFails };
}

function judge(step: StepContext): void {
  if (!step.failure.open) return;
  const verdict = judgeCanary(figuresOf(step), step.thresholds, step.options.colors);
  if (!verdict.ok) step.failure.set({ reason: verdict.reason });
}

function report(step: StepContext): void {
  if (step.options.onFigures === undefined || !step.failure.open) return;
  try {
    step.options.onFigures(figuresOf(step));
  } catch (error) {
    step.failure.set({ error });
  }
}

function countProbe(step: StepContext, result: ProbeResult): void {
  const { colors, logger } = step.options;
  const tally = result.color === colors.new ? step.tallies.new : step.tallies.old;
  tally.probes += 1;
  if (result.reset) tally.resets += 1;
  const warming = step.options.latencyFromMs !== undefined && Date.now() < step.options.latencyFromMs;
  if (result.error) tally.errors += 1;
  else if (warming) tally.warmupAnswers = (tally.warmupAnswers ?? 0) + 1;
  else tally.latenciesMs.push(result.latencyMs);
  if (result.error && result.color === colors.new) {
    logger.debug({ event: 'canary.probe.failed', color: result.color, failure: result.failure }, `probe of ${result.color} failed: ${result.failure ?? 'error'}`);
  }
  judge(step);
}

async function lookAtRealTraffic(step: StepContext): Promise<void> {
  const { realTraffic, onRealTraffic, colors } = step.options;
  if (realTraffic === undefined || !step.failure.open) return;
  const real = await realTraffic.look();
  step.real = real;
  try {
    await onRealTraffic?.(real);
  } catch (error) {
    step.failure.set({ error });
    return;
  }
  if (real.verdict === 'worse') step.failure.set({ reason: real.reason ?? `${colors.new} is worse than ${colors.old} on real traffic` });
}

async function readFails(step: StepContext): Promise<void> {
  try {
    const rows = await step.options.admin.readUpstreams();
    const sum = rows.filter((row) => step.newDials.has(row.address)).reduce((total, row) => total + row.fails, 0);
    // Caddy forgets a failure after fail_duration: keep the highest count seen in this step.
    step.caddyFails = Math.max(step.caddyFails ?? 0, sum);
  } catch (error) {
    step.options.logger.warn(
      { event: 'canary.upstreams.unreadable', err: error instanceof Error ? error.message : String(error) },
      `could not read Caddy's upstream counters; judging ${step.options.colors.new} by probes alone for now`,
    );
  }
}

/** Caddy's counters and the real traffic, about once a second, until `stop` is aborted. */
async function pollCounters(step: StepContext, stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    await readFails(step);
    if (stop.aborted) return;
    await lookAtRealTraffic(step);
    if (stop.aborted) return;
    judge(step);
    report(step);
    step.options.logger.debug({ event: 'canary.analysis.figures', figures: figuresOf(step) }, describeCanaryFigures(figuresOf(step), step.options.colors));
    // Aborting `stop` cuts the wait short; the loop's condition then ends the loop.
    await sleep(step.options.upstreamsPollMs ?? DEFAULT_UPSTREAMS_POLL_MS, stop).catch(() => undefined);
  }
}

/** A request from `cutover abort` in another process, a few times a second. */
async function pollAbortRequests(step: StepContext, stop: AbortSignal): Promise<void> {
  const abortRequested = step.options.abortRequested;
  if (abortRequested === undefined) return;
  while (!stop.aborted && step.failure.open) {
    try {
      if (await abortRequested()) step.failure.set({ reason: ABORT_REQUESTED_REASON });
    } catch (error) {
      step.failure.set({ error });
    }
    await sleep(step.options.abortPollMs ?? DEFAULT_ABORT_POLL_MS, stop).catch(() => undefined);
  }
}

function startChecks(step: StepContext): AnalysisChecks | undefined {
  const check = step.options.analysisCommand;
  if (check === undefined) return undefined;
  return startAnalysisChecks({
    ...check,
    pauseMs: step.options.upstreamsPollMs ?? DEFAULT_UPSTREAMS_POLL_MS,
    logger: step.options.logger,
    onFailure: (reason) => step.failure.set({ reason }),
  });
}

/** Until the step's time is over (then the probes and the check in flight still count), a failure, or the caller's abort. */
async function waitForStep(step: StepContext, probes: ProbeRun, checks: AnalysisChecks | undefined): Promise<void> {
  const { signal, durationMs } = step.options;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  signal.addEventListener('abort', onAbort, { once: true });
  let durationTimer: NodeJS.Timeout | undefined;
  const stepOver = new Promise<void>((resolve) => (durationTimer = setTimeout(resolve, Math.max(0, durationMs))));
  try {
    await Promise.race([stepOver, step.failure.woken, aborted]);
    if (step.failure.open && !signal.aborted) {
      await Promise.race([Promise.all([probes.finish(), checks?.finish()]), step.failure.woken, aborted]);
    }
  } finally {
    clearTimeout(durationTimer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** The verdict once the loops have ended: one last read of the counters, so the step's final second counts too. */
async function conclude(step: StepContext, elapsedMs: number): Promise<CanaryAnalysis> {
  const { colors } = step.options;
  const { thresholds } = step;
  if (step.failure.open) {
    await readFails(step);
    await lookAtRealTraffic(step);
    judge(step);
  }
  const final = figuresOf(step);
  const failure = step.failure.value;
  const pending = failure === undefined ? judgeCanary(final, thresholds, colors) : undefined;
  const reason =
    failure !== undefined && 'reason' in failure
      ? failure.reason
      : pending !== undefined && pending.ok && pending.pending !== undefined
        ? `no verdict after ${formatDuration(elapsedMs)}: ${pending.pending}`
        : undefined;
  const { real } = step;
  const result: CanaryAnalysis = reason === undefined ? { ok: true, figures: final, real, elapsedMs } : { ok: false, reason, figures: final, real, elapsedMs };
  step.options.onFigures?.(final);
  step.options.logger.debug({ event: 'canary.analysis.verdict', ok: result.ok, reason, figures: final, elapsedMs: Math.round(elapsedMs) }, reason ?? `${colors.new} passed: ${describeCanaryFigures(final, colors)}`);
  return result;
}

/**
 * Analyses one canary step: probes both colors through Caddy for `durationMs`
 * and reads Caddy's passive health counters of the new color each second. The
 * verdict is evaluated after every probe, so a new color that starts failing is
 * caught within a few probe intervals, not at the end of the step. A step that
 * ends without enough probes of the new color for a verdict is not ok. With an
 * `analysisCommand`, its first failed run fails the step too.
 */
export async function analyzeCanary(options: AnalyzeCanaryOptions): Promise<CanaryAnalysis> {
  const { colors, logger, signal } = options;
  signal.throwIfAborted();
  const step: StepContext = { options, thresholds: options.thresholds ?? {}, newDials: new Set(options.newDials), failure: new StepFailure(), tallies: { old: emptyTally(), new: emptyTally() }, caddyFails: undefined, real: undefined };
  const started = performance.now();
  logger.debug({ event: 'canary.analysis.start', colors, durationMs: options.durationMs, probeUrl: options.probeUrl }, `analysing ${colors.new} against ${colors.old} for ${formatDuration(options.durationMs)}`);
  const probes = probeColors({
    url: options.probeUrl,
    colors: [colors.old, colors.new],
    intervalMs: options.probeIntervalMs,
    timeoutMs: options.probeTimeoutMs,
    host: options.probeHost,
    signal,
    onResult: (result) => countProbe(step, result),
  });
  const polling = new AbortController();
  const poller = pollCounters(step, polling.signal);
  // Awaited before returning: a request taken by a call still running must not be lost.
  const abortPolling = pollAbortRequests(step, polling.signal);
  const checks = startChecks(step);
  try {
    await waitForStep(step, probes, checks);
  } finally {
    polling.abort();
    // A failure returns at once: the probes and the check in flight are cancelled, not awaited.
    await probes.cancel();
    await checks?.stop();
    await abortPolling;
    // The poll under way ends first: its state write (onRealTraffic) must not race the caller's next one.
    await poller;
  }
  signal.throwIfAborted();
  if (step.failure.value !== undefined && 'error' in step.failure.value) throw step.failure.value.error;
  return conclude(step, performance.now() - started);
}
