import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { detectCaddyFeatures } from '../adapters/caddy/detect-caddy-features.js';
import type { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { COLORS, type Color, type ProjectConfig } from '../config/model.js';
import type { DialOwner } from '../domain/aggregate-traffic.js';
import { analysisCommandEnv } from '../domain/analysis-command-env.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../domain/caddy-json.js';
import { describeCanaryFigures } from '../domain/describe-canary-figures.js';
import { planSwarmCanaryStep, type SwarmCanaryStepPlan } from '../domain/plan-swarm-canary-step.js';
import { findSwarmHandlers, swarmHandlerKey } from '../domain/plan-swarm-switch.js';
import { swarmServiceName } from '../domain/swarm-service-name.js';
import { withoutTrafficLog, withTrafficLog } from '../domain/traffic-log-config.js';
import { CanaryAbortedError, ConfigInvalidError, RollbackFailedError, SwitchOutcomeUnknownError } from '../errors.js';
import type { Canary } from '../state/state-schema.js';
import { takeCanaryRequest } from '../state/canary-request.js';
import { enterPhase, updateCanary } from '../state/state-transitions.js';
import { analyzeCanary } from './analyze-canary.js';
import { type CanaryOptions, DEFAULT_LATENCY_WARMUP_MS } from './canary-step.js';
import { chooseInstanceTrafficLogs, type InstanceTrafficLogs } from './choose-instance-traffic-logs.js';
import { defaultProbeUrl } from './default-probe-url.js';
import { flattenFigures } from './flatten-figures.js';
import { caddyInstances, type Runtime } from './runtime.js';
import type { StateKeeper } from './state-keeper.js';
import { type SwarmSwitchExtras, swarmTaskAddresses, switchSwarmColor } from './swarm-switch.js';
import { switchTraffic } from './switch-traffic.js';
import { waitForCanaryDecision } from './wait-for-canary-decision.js';
import { type RealTrafficWatch, watchRealTraffic } from './watch-real-traffic.js';
import { errorText } from './error-text.js';

/** One Swarm canary: the deploy's new services are healthy; Caddy still sends everything to `fromColor`'s tasks. name. */
export interface SwarmCanaryRun {
  runtime: Runtime;
  project: ProjectConfig;
  swarm: SwarmServices;
  keeper: StateKeeper;
  fromColor: Color;
  toColor: Color;
  canary: CanaryOptions;
  /** Per colored service, the networks its tasks are on (the one Caddy shares with them is among these): which task address to dial. */
  networks: Readonly<Record<string, readonly string[]>>;
  signal: AbortSignal;
}

/** The address to dial of each running task of one color of one service: its address on the first of the service's networks it has one on. */
async function runningTaskAddresses(run: SwarmCanaryRun, service: string, color: Color): Promise<string[]> {
  const tasks = await run.swarm.listTasks(swarmServiceName(run.project.projectName, service, color));
  const networks = run.networks[service] ?? [];
  return tasks
    .filter((task) => task.state === 'running' && task.desiredState === 'running')
    .flatMap((task) => {
      const preferred = networks.map((network) => task.addresses.find((a) => a.network === network)).find((a) => a !== undefined) ?? task.addresses[0];
      return preferred === undefined ? [] : [preferred.address];
    });
}

/** Both colors' running task addresses of every colored service, read again for every step: Swarm may have replaced a task since the last. */
async function readTasks(run: SwarmCanaryRun): Promise<Record<string, Record<Color, string[]>>> {
  const out: Record<string, Record<Color, string[]>> = {};
  for (const service of run.project.colored.map((s) => s.name)) {
    out[service] = { blue: await runningTaskAddresses(run, service, 'blue'), green: await runningTaskAddresses(run, service, 'green') };
  }
  return out;
}

/** Which service and color each dial of a step reaches: what the real traffic is counted by. */
function dialOwners(plan: SwarmCanaryStepPlan): Map<string, DialOwner> {
  const owners = new Map<string, DialOwner>();
  for (const handler of plan.handlers) for (const color of COLORS) for (const dial of handler.byColor[color]) owners.set(dial, { service: handler.service, color });
  return owners;
}

/** Each handler's load balancing as the user has it before the first step (by swarmHandlerKey): what the way back and the final switch put back. */
async function originalLoadBalancing(run: SwarmCanaryRun): Promise<Record<string, JsonObject | null>> {
  const config = (await run.runtime.admin.readConfig('/config/')).value as JsonValue;
  const found = findSwarmHandlers(config, { project: run.project.projectName, services: run.project.colored.map((s) => s.name) });
  if (!found.ok) throw new ConfigInvalidError(found.problems.map((message) => ({ file: `Caddy config (${run.runtime.admin.address.text})`, path: '', message })));
  return Object.fromEntries(found.handlers.map((h) => [swarmHandlerKey(h.service, h.pointer), isJsonObject(h.handler.load_balancing) ? h.handler.load_balancing : null]));
}

/**
 * How the switch after (or instead of) the canary finds and restores the
 * handlers: the task addresses the steps wrote, the load balancing journalled
 * before the first step, the traffic log taken out in the same change.
 */
export async function swarmCanarySwitchExtras(swarm: SwarmServices, project: ProjectConfig, canary: Pick<Canary, 'originalLoadBalancing'>): Promise<SwarmSwitchExtras> {
  return { taskAddresses: await swarmTaskAddresses(swarm, project), restoreLoadBalancing: canary.originalLoadBalancing as Record<string, JsonObject | null>, rewriteRoot: (root) => withoutTrafficLog(root) };
}

/** One step: ONE change per Caddy instance to both colors' task addresses, weighted; returns the plan (the first instance's). */
async function applyStep(run: SwarmCanaryRun, weight: number, real: { place: InstanceTrafficLogs; watch: RealTrafficWatch } | undefined, features: Awaited<ReturnType<typeof detectCaddyFeatures>>): Promise<SwarmCanaryStepPlan> {
  const tasks = await readTasks(run);
  const knownAddresses = await swarmTaskAddresses(run.swarm, run.project);
  const services = run.project.colored.map((s) => s.name);
  const outcome = await switchTraffic(
    caddyInstances(run.runtime),
    (config) => {
      const planned = planSwarmCanaryStep(config, { project: run.project.projectName, services, tasks, knownAddresses, toColor: run.toColor, percent: weight, features, sticky: run.canary.sticky });
      return planned.ok ? { ok: true, servers: planned.plan.servers, unchanged: planned.plan.unchanged, plan: planned.plan } : planned;
    },
    {
      logger: run.runtime.logger,
      what: `sends ${weight}% to ${run.toColor} (task addresses of both colors)`,
      ...(real === undefined ? {} : { rewriteRoot: (root: JsonObject, admin: CaddyAdmin) => withTrafficLog(root, real.place.writerFor(admin)) }),
    },
  );
  return outcome.plan;
}

/** What every step of one canary shares. */
interface StepContext {
  features: Awaited<ReturnType<typeof detectCaddyFeatures>>;
  probeUrl: string;
  real: { place: InstanceTrafficLogs; watch: RealTrafficWatch } | undefined;
  record: (stepIndex: number, weight: number, paused: boolean) => Canary;
  /** Set at the first step's change: latency is judged from then plus the warm-up. */
  latencyFromMs?: number;
}

/** Caddy's features, the probe URL and the real-traffic watch (started before the first change puts the log in, so no line is missed). */
async function prepareSteps(run: SwarmCanaryRun, record: StepContext['record']): Promise<StepContext> {
  const { runtime, canary } = run;
  const features = await detectCaddyFeatures(runtime.admin);
  const probeUrl = canary.probeUrl ?? defaultProbeUrl((await runtime.admin.readConfig('/config/')).value as JsonValue);
  if (probeUrl === undefined) throw new CanaryAbortedError('no TCP listener in Caddy\'s config to probe the colors through', { hint: 'pass --probe-url: http://host:port/path, or http+unix://<socket path, %2F for each />/path for a unix socket' });
  runtime.logger.info({ event: 'canary.features', weights: features.weights, cookieFallback: features.cookieFallback, probeUrl }, `  Caddy splits traffic by ${features.weights === 'native' ? 'weighted_round_robin' : 'duplicated upstream entries (round_robin)'} over the task addresses; probing ${probeUrl}`);
  if (canary.realTraffic === undefined) return { features, probeUrl, real: undefined, record };
  const place = await chooseInstanceTrafficLogs(runtime);
  const watch = watchRealTraffic(await place.open(), { colors: { old: run.fromColor, new: run.toColor }, settings: canary.realTraffic, logger: runtime.logger });
  runtime.logger.info({ event: 'canary.real-traffic', source: place.describe }, `  judging the real traffic of both colors too, from Caddy's log of every proxied request (${place.describe})`);
  return { features, probeUrl, real: { place, watch }, record };
}

/** One weight: its change, its analysis (throws CanaryAbortedError when it fails), its pause. */
async function runStep(run: SwarmCanaryRun, step: StepContext, index: number, weight: number): Promise<void> {
  const { runtime, keeper, canary, fromColor, toColor } = run;
  const plan = await applyStep(run, weight, step.real, step.features);
  step.real?.watch.addOwners(dialOwners(plan));
  if (step.latencyFromMs === undefined) {
    step.latencyFromMs = Date.now() + (canary.latencyWarmupMs ?? DEFAULT_LATENCY_WARMUP_MS);
    step.real?.watch.judgeLatencyFrom(step.latencyFromMs);
  }
  await keeper.update((state) => updateCanary(enterPhase(state, 'canary-step', runtime.now()), step.record(index, weight, false)));
  const tasksLine = plan.handlers.filter((h, i, all) => all.findIndex((x) => x.service === h.service) === i).map((h) => `${h.service} ${h.byColor[fromColor].length}+${h.byColor[toColor].length} tasks`).join(', ');
  runtime.logger.info({ event: 'canary.step', step: index + 1, weight, color: toColor }, `  step ${index + 1}: ${weight}% of requests to ${toColor} (${tasksLine})`);
  const operation = keeper.state.operation;
  const result = await analyzeCanary({
    admin: runtime.admin,
    probeUrl: step.probeUrl,
    probeHost: canary.probeHost,
    colors: { old: fromColor, new: toColor },
    newDials: [...new Set(plan.handlers.flatMap((h) => h.byColor[toColor]))],
    durationMs: canary.stepIntervalMs,
    latencyFromMs: step.latencyFromMs,
    thresholds: canary.thresholds,
    signal: run.signal,
    logger: runtime.logger,
    abortRequested: async () => (await takeCanaryRequest(runtime.stateDir, operation?.id ?? '', ['abort'])) !== undefined,
    realTraffic: step.real?.watch,
    onRealTraffic: (look) => {
      runtime.logger.info({ event: 'canary.real-traffic.look', step: index + 1, verdict: look.verdict, figures: look.figures }, `  ${look.summary}`);
    },
    analysisCommand:
      canary.analysisCommand === undefined
        ? undefined
        : {
            command: canary.analysisCommand,
            cwd: run.project.projectDir,
            env: (look) => analysisCommandEnv({ project: run.project.projectName, fromColor, toColor, fromVersion: operation?.fromVersion ?? null, toVersion: operation?.toVersion ?? '', step: index + 1, steps: canary.steps.weights.length, weight, look }),
          },
  });
  const figures = flattenFigures(result);
  await keeper.update((state) => (state.operation?.canary === undefined ? state : updateCanary(state, { ...state.operation.canary, analysis: { at: runtime.now().toISOString(), figures } })));
  runtime.logger.info({ event: 'canary.analysis', step: index + 1, ok: result.ok, figures }, `  analysis: ${result.ok ? 'ok' : 'FAILED'}`);
  if (!result.ok) {
    throw new CanaryAbortedError(`canary aborted at ${weight}%: ${result.reason ?? 'analysis failed'} (${describeCanaryFigures(result.figures, { old: fromColor, new: toColor })})`, {
      hint: `all traffic is back on ${fromColor}'s tasks; the new services were removed`,
    });
  }
  if (canary.steps.pauseAfter.includes(index)) await waitForCanaryDecision(runtime, keeper, weight, toColor, operation?.id ?? '', run.signal);
}

/** Back to way A on the old color in one change per Caddy; the drain waits out the new color's requests in flight. */
async function revert(run: SwarmCanaryRun, error: unknown, extras: SwarmSwitchExtras): Promise<void> {
  try {
    await switchSwarmColor(run.runtime, run.swarm, run.project, run.fromColor, run.toColor, new AbortController().signal, extras);
  } catch (revertError) {
    throw new RollbackFailedError(`${errorText(error)}; then sending all traffic back to ${run.fromColor} failed: ${errorText(revertError)}`, {
      cause: error,
      hint: 'cutover --engine swarm status shows what Caddy names now; cutover --engine swarm abort tries again',
    });
  }
  run.runtime.logger.info({ event: 'canary.reverted', color: run.fromColor, newColor: run.toColor }, `  canary reverted: every request goes to ${run.fromColor}'s tasks again`);
}

/**
 * The canary's steps on Swarm (docs/swarm.md, "Canary"): for each weight, ONE
 * If-Match change per Caddy instance to both colors' running task addresses
 * (re-read for every step), then the same analysis as on Compose (probes of
 * each color through Caddy's preview routes, the real traffic from Caddy's
 * log, `--analysis-cmd`), then a pause where asked. A failing step (or
 * `cutover abort`, or Ctrl-C) goes back to way A on the old color's `tasks.`
 * name in one change and throws; the caller removes the new services. On
 * success returns how the final switch restores the handlers.
 */
export async function runSwarmCanary(run: SwarmCanaryRun): Promise<SwarmSwitchExtras> {
  const { runtime, keeper, canary, toColor } = run;
  const original = await originalLoadBalancing(run);
  const record = (stepIndex: number, weight: number, paused: boolean): Canary => ({
    steps: canary.steps.weights,
    stepIndex,
    pauseAfter: canary.steps.pauseAfter,
    paused,
    originalLoadBalancing: original,
    weights: { blue: toColor === 'blue' ? weight : 100 - weight, green: toColor === 'green' ? weight : 100 - weight },
  });
  // Journal first: whoever settles a canary killed after its first change must know the load balancing to put back.
  await keeper.update((state) => updateCanary(enterPhase(state, 'canary-step', runtime.now()), record(0, 0, false)));
  const extras = async () => swarmCanarySwitchExtras(run.swarm, run.project, { originalLoadBalancing: original });
  let step: StepContext | undefined;
  try {
    step = await prepareSteps(run, record);
    for (const [index, weight] of canary.steps.weights.entries()) {
      run.signal.throwIfAborted();
      await runStep(run, step, index, weight);
    }
  } catch (error) {
    await step?.real?.watch.close();
    // Nobody can tell what Caddy does: nothing is undone on a guess (the journal keeps the canary).
    if (error instanceof SwitchOutcomeUnknownError) throw error;
    await revert(run, error, await extras());
    throw error;
  }
  await step.real?.watch.close();
  return extras();
}
