import { detectCaddyFeatures } from '../adapters/caddy/detect-caddy-features.js';
import { otherColor, type Color, type ProjectConfig } from '../config/model.js';
import type { JsonObject, JsonValue } from '../domain/caddy-json.js';
import type { CanarySteps } from '../domain/canary-steps.js';
import type { CanaryThresholds } from '../domain/canary-verdict.js';
import { readTraffic } from '../domain/read-traffic.js';
import { loadBalancingByHandler } from '../domain/plan-switch.js';
import { describeCanaryFigures } from '../domain/describe-canary-figures.js';
import { CanaryAbortedError, RollbackFailedError, SwitchOutcomeUnknownError } from '../errors.js';
import type { Operation } from '../state/state-schema.js';
import { takeCanaryRequest } from '../state/canary-request.js';
import { enterPhase, updateCanary } from '../state/state-transitions.js';
import { analyzeCanary, type AnalyzeCanaryOptions, type CanaryAnalysis } from './analyze-canary.js';
import { flattenFigures } from './flatten-figures.js';
import { analysisCommandEnv } from '../domain/analysis-command-env.js';
import type { AnalysisCommand } from '../domain/parse-analysis-command.js';
import { formatDuration } from '../domain/format-duration.js';
import type { RealTrafficVerdict } from '../domain/real-traffic-verdict.js';
import type { Step } from './run-steps.js';
import type { Runtime } from './runtime.js';
import { sendTrafficBack } from './send-traffic-back.js';
import type { StateKeeper } from './state-keeper.js';
import { switchAll } from './switch-all.js';
import { defaultProbeUrl } from './default-probe-url.js';
import { waitForCanaryDecision } from './wait-for-canary-decision.js';
import { watchRealTraffic, type RealTrafficSettings, type RealTrafficWatch } from './watch-real-traffic.js';
import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { chooseInstanceTrafficLogs, type InstanceTrafficLogs } from './choose-instance-traffic-logs.js';
import { findCaddyContainer } from './choose-traffic-log.js';
import { withTrafficLog } from '../domain/traffic-log-config.js';
import type { DialOwner, TrafficByColor } from '../domain/aggregate-traffic.js';
import type { SwitchPlan } from '../domain/plan-switch.js';
import { COLORS } from '../config/model.js';
import { errorText } from './error-text.js';

export interface CanaryOptions {
  steps: CanarySteps;
  stepIntervalMs: number;
  thresholds: CanaryThresholds;
  sticky: boolean;
  /**
   * Keep the new color for inspection when the canary is aborted. Default: it is
   * removed and the previous standby brought back, so the rollback target stays.
   */
  keepFailed: boolean;
  /** Requested through Caddy with the preview header for each color; default: the first server's listener, path `/`. */
  probeUrl: string | undefined;
  /** Host header of the probes, for sites Caddy matches by host name. */
  probeHost?: string | undefined;
  /**
   * Judge each step by the real traffic of both colors too, read from Caddy's
   * own log of every proxied request (docs/real-traffic-analysis.md).
   * Undefined (`--no-real-traffic`): by the probes alone.
   */
  realTraffic?: RealTrafficSettings | undefined;
  /**
   * `--latency-warmup`: for this long after the first step's change, neither the
   * probes' nor the real traffic's latency is judged (a fresh container's first
   * requests are slower); errors always are. Default 10 s (DEFAULT_LATENCY_WARMUP_MS).
   */
  latencyWarmupMs?: number | undefined;
  /** Called with each look's figures at the real traffic: a bake after the canary keeps the old color's as its baseline. */
  onRealTraffic?: ((traffic: TrafficByColor) => void) | undefined;
  /** `--analysis-cmd`: a check of the user's own, run at every analysis look of every step (docs/canary.md). */
  analysisCommand?: AnalysisCommand | undefined;
}

/** The default of `--latency-warmup` (canary-flags.ts parses it). */
export const DEFAULT_LATENCY_WARMUP_MS = 10_000;
const STATE_WRITE_EVERY_MS = 2_000;

/** Which service and color each dial of a step's plan reaches: what the real traffic is counted by. */
export function dialOwners(plan: SwitchPlan): Map<string, DialOwner> {
  const owners = new Map<string, DialOwner>();
  for (const service of plan.services) {
    for (const color of COLORS) for (const dial of service.byColor[color]) if (!owners.has(dial)) owners.set(dial, { service: service.service, color });
  }
  return owners;
}

/** The probe figures of the last step without the previous look's real-traffic figures (routes come and go). */
function withoutRealFigures(figures: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(figures ?? {}).filter(([key]) => !key.startsWith('real.')));
}

/** Each handler's `load_balancing` as the user has it now (null: none), by handlerKey, to put back after the canary. */
export function currentLoadBalancing(config: JsonValue, project: ProjectConfig): Record<string, JsonObject | null> {
  const read = readTraffic(config, project.colored, []);
  return read.ok ? loadBalancingByHandler(read.view) : {};
}

function formatFigures(figures: Record<string, number>): string {
  return Object.entries(figures)
    .map(([key, value]) => `${key} ${Number.isInteger(value) ? value : value.toFixed(3)}`)
    .join(', ');
}

type CanaryRecord = (stepIndex: number, weight: number, paused: boolean) => NonNullable<Operation['canary']>;

/** One canary run, from its first weight change to its last analysis. */
interface CanaryRun {
  runtime: Runtime;
  project: ProjectConfig;
  canary: CanaryOptions;
  keeper: StateKeeper;
  fromColor: Color;
  toColor: Color;
  features: Awaited<ReturnType<typeof detectCaddyFeatures>>;
  probeUrl: string;
  operationId: string;
  canaryRecord: CanaryRecord;
  real: { place: InstanceTrafficLogs; watch: RealTrafficWatch } | undefined;
  /** Set at the first step's change: latency is judged from then plus the warm-up. */
  latencyFromMs?: number | undefined;
}

/** The real-traffic watch, started before the first step's change puts the log into Caddy, so no line is missed. */
async function startRealTraffic(runtime: Runtime, canary: CanaryOptions, fromColor: Color, toColor: Color): Promise<CanaryRun['real']> {
  if (canary.realTraffic === undefined) return undefined;
  const place = await chooseInstanceTrafficLogs(runtime);
  const watch = watchRealTraffic(await place.open(), { colors: { old: fromColor, new: toColor }, settings: canary.realTraffic, logger: runtime.logger });
  runtime.logger.info({ event: 'canary.real-traffic', source: place.describe }, `  judging the real traffic of both colors too, from Caddy's log of every proxied request (${place.describe})`);
  return { place, watch };
}

/** For cutover status during the step: at most every 2 s, the figures of the last look at the real traffic. */
function realTrafficRecorder(run: CanaryRun, stepNumber: number): (look: RealTrafficVerdict) => Promise<void> {
  let lastStateWrite = 0;
  return async (look) => {
    if (look.traffic !== undefined) run.canary.onRealTraffic?.(look.traffic);
    run.runtime.logger.info({ event: 'canary.real-traffic.look', step: stepNumber, verdict: look.verdict, figures: look.figures }, `  ${look.summary}`);
    if (Date.now() - lastStateWrite < STATE_WRITE_EVERY_MS) return;
    lastStateWrite = Date.now();
    await run.keeper.update((state) =>
      state.operation?.canary === undefined
        ? state
        : updateCanary(state, { ...state.operation.canary, analysis: { at: run.runtime.now().toISOString(), figures: { ...withoutRealFigures(state.operation.canary.analysis?.figures), ...look.figures } } }),
    );
  };
}

/** `--analysis-cmd` for one step, with the CUTOVER_* variables of that step. */
function stepCheck(run: CanaryRun, index: number, weight: number): AnalyzeCanaryOptions['analysisCommand'] {
  const command = run.canary.analysisCommand;
  if (command === undefined) return undefined;
  const operation = run.keeper.state.operation;
  const base = {
    project: run.project.projectName,
    fromColor: run.fromColor,
    toColor: run.toColor,
    fromVersion: operation?.fromVersion ?? null,
    toVersion: operation?.toVersion ?? '',
    step: index + 1,
    steps: run.canary.steps.weights.length,
    weight,
  };
  return { command, cwd: run.project.projectDir, env: (look) => analysisCommandEnv({ ...base, look }) };
}

/** One weight: the atomic change of every service's weights, then its analysis; throws CanaryAbortedError when it fails. */
async function runCanaryStep(run: CanaryRun, index: number, weight: number, signal: AbortSignal): Promise<void> {
  const { runtime, keeper, toColor, fromColor, canary } = run;
  const { logger } = runtime;
  // Every step's change carries the traffic log (the first one adds it; the others find it there); the full switch after the last step, or the way back, takes it out.
  const real = run.real;
  const withLog = real === undefined ? {} : { rewriteRoot: (root: JsonObject, admin: CaddyAdmin) => withTrafficLog(root, real.place.writerFor(admin)) };
  const { plan } = await switchAll(runtime, run.project, toColor, `sends ${weight}% to ${toColor}`, { split: { percent: weight, features: run.features, sticky: canary.sticky } }, withLog);
  run.real?.watch.addOwners(dialOwners(plan));
  if (run.latencyFromMs === undefined) {
    // The new color's first real requests start now: its warm-up, for the probes' and the real traffic's latency alike.
    run.latencyFromMs = Date.now() + (canary.latencyWarmupMs ?? DEFAULT_LATENCY_WARMUP_MS);
    run.real?.watch.judgeLatencyFrom(run.latencyFromMs);
  }
  await keeper.update((state) => updateCanary(enterPhase(state, 'canary-step', runtime.now()), run.canaryRecord(index, weight, false)));
  logger.info({ event: 'canary.step', step: index + 1, weight, color: toColor }, `  step ${index + 1}: ${weight}% of requests to ${toColor}`);
  const result = await analyzeCanary({
    admin: runtime.admin,
    probeUrl: run.probeUrl,
    probeHost: canary.probeHost,
    colors: { old: fromColor, new: toColor },
    newDials: [...new Set(plan.services.flatMap((s) => s.byColor[toColor]))],
    durationMs: canary.stepIntervalMs,
    latencyFromMs: run.latencyFromMs,
    thresholds: canary.thresholds,
    signal,
    logger,
    abortRequested: async () => (await takeCanaryRequest(runtime.stateDir, run.operationId, ['abort'])) !== undefined,
    realTraffic: run.real?.watch,
    onRealTraffic: realTrafficRecorder(run, index + 1),
    analysisCommand: stepCheck(run, index, weight),
  });
  await recordAnalysis(run, index, result);
  if (!result.ok) {
    throw new CanaryAbortedError(`canary aborted at ${weight}%: ${result.reason ?? 'analysis failed'} (${describeCanaryFigures(result.figures, { old: fromColor, new: toColor })})`, {
      hint: `all traffic is back on ${fromColor}. ${canary.keepFailed ? `The new color is kept for inspection (preview it with the header Cutover-Color: ${toColor}); cutover cleanup removes it.` : 'The new color was removed and the previous standby brought back.'}`,
    });
  }
}

/** The step's figures into the state file (for cutover status) and the log. */
async function recordAnalysis(run: CanaryRun, index: number, result: CanaryAnalysis): Promise<void> {
  const figures = flattenFigures(result);
  await run.keeper.update((state) =>
    state.operation?.canary === undefined ? state : updateCanary(state, { ...state.operation.canary, analysis: { at: run.runtime.now().toISOString(), figures } }),
  );
  run.runtime.logger.info({ event: 'canary.analysis', step: index + 1, ok: result.ok, figures }, `  analysis: ${result.ok ? 'ok' : 'FAILED'} (${formatFigures(figures)})`);
  if (result.ok && result.real?.verdict === 'inconclusive') {
    run.runtime.logger.info({ event: 'canary.real-traffic.inconclusive', step: index + 1 }, `  real traffic: too little to judge at this step (${result.real.summary}); the probes' verdict stands`);
  }
}

/** Everything before the first weight: Caddy's features, the user's load balancing (journalled first), the probe URL. */
async function prepareCanary(runtime: Runtime, project: ProjectConfig, canary: CanaryOptions, keeper: StateKeeper, toColor: Color): Promise<Omit<CanaryRun, 'real'>> {
  const fromColor = otherColor(toColor);
  const features = await detectCaddyFeatures(runtime.admin);
  const read = await runtime.admin.readConfig('/config/');
  const originalLoadBalancing = currentLoadBalancing(read.value as JsonValue, project);
  const canaryRecord: CanaryRecord = (stepIndex, weight, paused) => {
    const weights = { [toColor]: weight, [fromColor]: 100 - weight } as Record<Color, number>;
    return { steps: canary.steps.weights, stepIndex, pauseAfter: canary.steps.pauseAfter, paused, originalLoadBalancing, weights: { blue: weights.blue, green: weights.green } };
  };
  // Journal first: a kill right after the first weight change must know the user's load balancing to put it back.
  await keeper.update((state) => updateCanary(enterPhase(state, 'canary-step', runtime.now()), canaryRecord(0, 0, false)));
  // Caddy in a container publishes its listener on a host port of its own (127.0.0.1:18080->80): probe that one.
  const caddyContainer = canary.probeUrl === undefined ? await findCaddyContainer(runtime) : undefined;
  const probeUrl = canary.probeUrl ?? defaultProbeUrl(read.value as JsonValue, caddyContainer?.published);
  if (probeUrl === undefined) throw new CanaryAbortedError('no HTTP listener in Caddy\'s config to probe through', { hint: 'pass --probe-url http://127.0.0.1:<port>/<path>' });
  runtime.logger.info(
    { event: 'canary.features', weights: features.weights, cookieFallback: features.cookieFallback, probeUrl },
    `  Caddy splits traffic by ${features.weights === 'native' ? 'weighted_round_robin' : 'duplicated upstream entries (round_robin)'}; probing ${probeUrl}`,
  );
  if (canary.analysisCommand !== undefined) {
    runtime.logger.info({ event: 'canary.analysis-cmd.start', argv: canary.analysisCommand.argv }, `  checking each look with ${canary.analysisCommand.argv.join(' ')} too (timeout ${formatDuration(canary.analysisCommand.timeoutMs)})`);
  }
  return { runtime, project, canary, keeper, fromColor, toColor, features, probeUrl, operationId: keeper.state.operation?.id ?? '', canaryRecord };
}

/**
 * The canary as one step: for each weight, one atomic change of every
 * service's weights, then the analysis for one step interval (abort at the
 * first failing verdict), then a pause where asked. Its undo sends all traffic
 * back to the old color in one change and puts the user's load balancing back.
 */
export function canaryStep(runtime: Runtime, project: ProjectConfig, toColor: Color, canary: CanaryOptions, keeper: StateKeeper): Step {
  const fromColor = otherColor(toColor);
  // The same way back as the switch's undo and crash recovery: everything to the old color, the user's load balancing back.
  const revert = async (): Promise<void> => {
    const operation = keeper.state.operation;
    if (operation === null) throw new Error('bug: the canary step ran with no operation in the journal');
    if (operation.canary === undefined) return;
    await sendTrafficBack(runtime, project, operation);
    runtime.logger.info({ event: 'canary.reverted', color: fromColor, newColor: toColor }, `  canary reverted: ${toColor} gets no more requests`);
  };
  const runCanary = async (signal: AbortSignal): Promise<void> => {
    const prepared = await prepareCanary(runtime, project, canary, keeper, toColor);
    const run: CanaryRun = { ...prepared, real: await startRealTraffic(runtime, canary, fromColor, toColor) };
    try {
      for (const [index, weight] of canary.steps.weights.entries()) {
        signal.throwIfAborted();
        await runCanaryStep(run, index, weight, signal);
        if (canary.steps.pauseAfter.includes(index)) await waitForCanaryDecision(runtime, keeper, weight, toColor, run.operationId, signal);
      }
    } finally {
      await run.real?.watch.close();
    }
  };
  return {
    phase: 'canary',
    title: `canary ${canary.steps.weights.map((w) => `${w}%`).join(', ')} on ${toColor}`,
    run: async (signal) => {
      try {
        await runCanary(signal);
      } catch (error) {
        // Nobody can tell what Caddy does: nothing is undone on a guess (the journal keeps the canary).
        if (error instanceof SwitchOutcomeUnknownError) throw error;
        // A step that fails undoes itself (see run-steps.ts): all traffic back on the old color first.
        try {
          await revert();
        } catch (revertError) {
          throw new RollbackFailedError(`${errorText(error)}; then sending all traffic back to ${fromColor} failed: ${errorText(revertError)}`, {
            cause: error,
            hint: 'cutover status shows the weights Caddy has now; cutover abort tries again',
          });
        }
        throw error;
      }
    },
    undo: revert,
  };
}
