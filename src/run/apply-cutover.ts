import os from 'node:os';
import { request as httpRequest } from 'undici';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { ProjectConfig } from '../config/model.js';
import type { JsonObject, JsonValue } from '../domain/caddy-json.js';
import type { DeployPlan } from '../domain/plan-deploy.js';
import type { SwitchPlan } from '../domain/plan-switch.js';
import { CanaryAbortedError, ConfigInvalidError, CutoverError, OperationFailedError } from '../errors.js';
import { emptyState, enterPhase, finishOperation, recordTargets, startOperation } from '../state/state-transitions.js';
import { canaryStep, type CanaryOptions } from './canary-step.js';
import { drainUpstreams } from './drain-upstreams.js';
import { colorInstances, trafficOf, type Observation } from './observe-project.js';
import { formatMs, runSteps, type Step } from './run-steps.js';
import type { Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';
import { probeHealthPaths } from './probe-health-paths.js';
import { ensureProjectResources, startService, stopAndRemove, waitForHealthy } from './start-color.js';
import { switchAll } from './switch-all.js';
import { restoreServers, type SwitchOutcome } from './switch-traffic.js';

export interface CutoverOptions {
  /** A URL answered through Caddy after the switch; a non-2xx answer switches back. */
  verifyUrl: string | undefined;
  signal: AbortSignal;
  /** Shift traffic in weighted steps with analysis before the full switch. */
  canary?: CanaryOptions | undefined;
}

export interface CutoverResult {
  plan: DeployPlan;
  timings: Array<{ phase: string; ms: number }>;
  drained: boolean;
}

async function verifyThroughCaddy(url: string, signal: AbortSignal): Promise<string> {
  const response = await httpRequest(url, { method: 'GET', signal, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = (await response.body.text()).slice(0, 200);
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw new OperationFailedError(`verification failed: GET ${url} answered ${response.statusCode} through Caddy: ${body.trim()}`, {
      hint: 'traffic was switched back; try the new version with the Cutover-Color preview header',
    });
  }
  return body;
}

/**
 * Applies a planned cutover (deploy or rollback) step by step. Up to and
 * including the verification every step can undo itself, so a failure or an
 * interrupt leaves traffic and containers as they were. Once verified the
 * operation has succeeded; the drain and the standby only follow it.
 */
export async function applyCutover(runtime: Runtime, project: ProjectConfig, observation: Observation, plan: DeployPlan, options: CutoverOptions): Promise<CutoverResult> {
  const { logger } = runtime;
  const { toColor, version } = plan;
  let state = observation.state ?? emptyState(project.projectName);
  const canary = options.canary;
  if (state.operation !== null) {
    // We hold the lock, so whoever recorded it is gone: close it as failed and go on from what Caddy says.
    logger.warn({ event: 'state.interrupted', operation: state.operation }, `an interrupted ${state.operation.kind} to ${state.operation.toVersion} was recorded; closing it as failed`);
    state = finishOperation(state, { outcome: 'failed', reason: 'interrupted; closed by the next operation' }, runtime.now());
  }
  state = startOperation(
    state,
    {
      id: `${plan.kind}-${runtime.now().toISOString()}`,
      kind: canary === undefined ? plan.kind : 'canary',
      fromColor: plan.fromColor ?? null,
      toColor,
      fromVersion: plan.fromVersion ?? null,
      toVersion: version,
      phase: 'preflight',
      pid: process.pid,
      host: os.hostname(),
      ...(plan.images === undefined ? {} : { images: plan.images }),
      ...(plan.fromImages === undefined ? {} : { fromImages: plan.fromImages }),
    },
    runtime.now(),
  );
  const keeper = new StateKeeper(runtime.stateDir, state);
  await keeper.update((s) => s);

  let started: ServiceContainer[] = [];
  /** Set when a canary is aborted: its new color stays for inspection unless --remove-failed. */
  let keepStarted = false;
  const original = { loadBalancing: {} as Record<string, JsonObject | null> };
  let switched: SwitchOutcome<SwitchPlan> | undefined;
  const steps: Step[] = [];
  if (plan.pull.length > 0) {
    steps.push({
      phase: 'pulling',
      title: `pull ${plan.pull.length} image(s)`,
      run: async () => {
        for (const image of plan.pull) {
          let lastLogged = 0;
          const progress = await runtime.docker.pullImage(image, {
            onProgress: (p) => {
              if (Date.now() - lastLogged < 1000) return;
              lastLogged = Date.now();
              logger.info({ event: 'pull.progress', image, layersDone: p.layersDone, layers: p.layers, bytes: p.bytesDownloaded }, `  ${image}: ${p.layersDone}/${p.layers} layers, ${Math.round(p.bytesDownloaded / 2 ** 20)} MiB`);
            },
          });
          logger.info({ event: 'pull.done', image, layers: progress.layers }, `  pulled ${image}`);
        }
      },
    });
  }
  if (plan.start.length > 0) {
    steps.push({
      phase: 'starting',
      title: `start ${version} in ${toColor} (${plan.start.map((s) => s.service).join(', ')})`,
      run: async () => {
        await ensureProjectResources(runtime, project);
        if (plan.replace.length > 0) {
          const old = observation.containers.filter((c) => plan.replace.some((r) => r.id === c.id));
          await stopAndRemove(runtime, project, old);
          logger.info({ event: 'standby.replaced', containers: old.map((c) => c.name) }, `  removed old ${toColor} containers: ${old.map((c) => `${c.name} (${c.version})`).join(', ')}`);
        }
        // All services at once: creating and starting a container takes Docker about a second each.
        const results = await Promise.allSettled(
          project.colored.map(async (service) => {
            const containers = await startService(runtime, project, service.byColor[toColor], toColor, version, plan.images?.[service.name]);
            started = [...started, ...containers];
            logger.info({ event: 'container.started', service: service.name, containers: containers.map((c) => c.name) }, `  started ${containers.map((c) => c.name).join(', ')}`);
          }),
        );
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed !== undefined) {
          // This step failed, so its undo will not run: remove what did start here.
          await runtime.docker.removeContainers(started.map((c) => c.id), { force: true });
          started = [];
          throw failed.reason;
        }
      },
      undo: async () => {
        if (started.length === 0) return;
        if (keepStarted) {
          logger.info({ event: 'container.kept', containers: started.map((c) => c.name) }, `  kept ${started.map((c) => c.name).join(', ')} for inspection`);
          return;
        }
        await runtime.docker.removeContainers(started.map((c) => c.id), { force: true });
        logger.info({ event: 'container.removed', containers: started.map((c) => c.name) }, `  removed ${started.map((c) => c.name).join(', ')}`);
      },
    });
    steps.push({
      phase: 'waiting-healthy',
      title: `wait until ${toColor} is healthy`,
      run: async (signal) => {
        const waitStarted = Date.now();
        const { healthCheckTimeoutMs: timeoutMs, healthCheckIntervalMs: intervalMs } = project.settings;
        await waitForHealthy(runtime, started, { timeoutMs, intervalMs, signal, color: toColor });
        // Ports are known only now that the containers run: read them again for the HTTP probe.
        const running = (await runtime.docker.listContainers({ project: project.projectName })).filter((c) => started.some((s) => s.id === c.id));
        await probeHealthPaths(runtime, project, running, { timeoutMs: Math.max(1000, timeoutMs - (Date.now() - waitStarted)), intervalMs, signal });
      },
    });
  }
  if (canary !== undefined) steps.push(canaryStep(runtime, project, toColor, canary, keeper, original));
  steps.push({
    phase: 'switching',
    title: `switch all services to ${toColor}`,
    run: async () => {
      const outcome = await switchAll(runtime, project, toColor, `sends every service to ${toColor}`, canary === undefined ? {} : { restoreLoadBalancing: original.loadBalancing });
      switched = outcome;
      for (const s of outcome.plan.services) logger.info({ event: 'switch.service', service: s.service, from: s.from, to: s.to }, `  ${s.service}: ${s.from.join(' ')} -> ${s.to.join(' ')}`);
    },
    undo: async () => {
      if (switched === undefined) return;
      await restoreServers(runtime.admin, switched);
      logger.info({ event: 'switch.undone' }, '  Caddy is back on the previous upstreams');
    },
  });
  steps.push({
    phase: 'verifying',
    title: 'verify',
    run: async (signal) => {
      const read = await runtime.admin.readConfig('/config/');
      const instances = colorInstances(await runtime.docker.listContainers({ project: project.projectName }));
      const view = trafficOf(runtime, read.value as JsonValue, project.colored, instances);
      if (view.live.kind !== 'color' || view.live.color !== toColor) {
        throw new ConfigInvalidError([
          { file: `Caddy config (${runtime.admin.address.text})`, path: '', message: `after the switch Caddy does not send all services to ${toColor}: ${view.live.kind === 'mixed' ? view.live.detail : view.live.kind}` },
        ]);
      }
      if (options.verifyUrl !== undefined) {
        const body = await verifyThroughCaddy(options.verifyUrl, signal);
        logger.info({ event: 'verify.answer', url: options.verifyUrl, body }, `  ${options.verifyUrl} answered: ${body.trim().slice(0, 80)}`);
      }
    },
  });

  let timings: Array<{ phase: string; ms: number }>;
  try {
    timings = await runSteps(steps, {
      logger,
      signal: options.signal,
      onPhase: async (phase) => {
        await keeper.update((s) => enterPhase(s, phase, runtime.now()));
      },
      beforeUndo: (error) => {
        keepStarted = error instanceof CanaryAbortedError && canary?.removeFailed !== true;
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const outcome = error instanceof CanaryAbortedError ? 'aborted' : 'failed';
    await keeper.update((s) => finishOperation(s, { outcome, reason }, runtime.now())).catch((writeError: unknown) =>
      logger.error({ event: 'state.write.failed', err: String(writeError) }, `could not record the failure in the state file: ${String(writeError)}`),
    );
    throw error;
  }

  // Verified: the operation has succeeded. What follows only finishes it.
  const outcome = switched as SwitchOutcome<SwitchPlan> | undefined;
  let drained = true;
  // After a canary the old upstream list also holds the new color's dials: only the others drain.
  const oldDials = outcome === undefined ? [] : [...new Set(outcome.plan.services.flatMap((s) => s.from.filter((dial) => !s.to.includes(dial))))];
  if (plan.fromColor !== undefined && oldDials.length > 0) {
    await keeper.update((s) => enterPhase(s, 'draining', runtime.now()));
    logger.info({ event: 'phase.start', phase: 'draining' }, `drain ${plan.fromColor}...`);
    try {
      const drain = await drainUpstreams(runtime.admin, oldDials, { timeoutMs: project.settings.drainTimeoutMs, logger, signal: options.signal });
      drained = drain.drained;
      timings.push({ phase: 'draining', ms: drain.ms });
      if (drain.drained) logger.info({ event: 'phase.done', phase: 'draining', ms: drain.ms }, `drain ${plan.fromColor}: done in ${formatMs(drain.ms)}`);
      else logger.warn({ event: 'drain.timeout', remaining: drain.remaining, ms: drain.ms }, `drain ${plan.fromColor}: DRAIN_TIMEOUT reached with requests still in flight: ${JSON.stringify(drain.remaining)}`);
    } catch (error) {
      drained = false;
      logger.warn({ event: 'drain.interrupted', err: String(error) }, `drain stopped early: ${error instanceof CutoverError ? error.message : String(error)}`);
    }
  }
  if (plan.fromColor !== undefined && plan.stopOld && plan.old.length > 0) {
    const old = observation.containers.filter((c) => plan.old.some((o) => o.id === c.id));
    if (drained) {
      await stopAndRemove(runtime, project, old);
      logger.info({ event: 'old.stopped', containers: old.map((c) => c.name) }, `stopped ${plan.fromColor}: ${old.map((c) => c.name).join(', ')}`);
    } else {
      logger.warn({ event: 'old.kept' }, `kept ${plan.fromColor} running because requests were still in flight; run cutover cleanup later`);
    }
  } else if (plan.fromColor !== undefined) {
    logger.info({ event: 'standby.kept', color: plan.fromColor }, `${plan.fromColor} stays running as warm standby (cutover rollback switches back at once)`);
  }

  await keeper.update((s) => {
    let next = finishOperation(s, { outcome: 'succeeded' }, runtime.now());
    if (plan.stopOld && drained) next = { ...next, standby: null };
    for (const service of outcome?.plan.services ?? []) {
      next = recordTargets(next, service.service, { caddyAdmin: runtime.admin.address.text, ...service.byColor });
    }
    return next;
  });
  logger.info({ event: `${plan.kind}.done`, version, color: toColor, timings }, `${plan.kind === 'deploy' ? 'deployed' : 'rolled back to'} ${version} on ${toColor}`);
  return { plan, timings, drained };
}
