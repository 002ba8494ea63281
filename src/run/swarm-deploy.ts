import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import type { TasksWaitResult } from '../adapters/swarm/wait-until-tasks-healthy.js';
import { loadProject } from '../config/load-project.js';
import type { ProjectConfig } from '../config/model.js';
import { planSwarmDeploy, type SwarmColorService, type SwarmDeployPlan } from '../domain/plan-swarm-deploy.js';
import type { PullPolicy } from '../domain/pull-policy.js';
import type { ServiceImages } from '../domain/image-identity.js';
import { validateVersion } from '../domain/validate-version.js';
import { CanaryAbortedError, ConfigInvalidError, HealthTimeoutError, SwitchOutcomeUnknownError, UsageError } from '../errors.js';
import { acquireLock } from '../state/deploy-lock.js';
import { readState } from '../state/state-store.js';
import { emptyState, enterPhase, finishOperation, startOperation } from '../state/state-transitions.js';
import type { Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';
import { stopSwarmColor } from './stop-swarm-color.js';
import { pinSwarmColorImages } from './swarm-images.js';
import { settleSwarmOperation } from './swarm-recover.js';
import { readSwarmLiveColor, type SwarmSwitchExtras, switchSwarmColor } from './swarm-switch.js';
import type { CanaryOptions } from './canary-step.js';
import { runSwarmCanary } from './swarm-canary.js';
import { settleFailedSwarmSwitch } from './swarm-switch-failure.js';

export interface SwarmDeployRequest {
  version: string;
  dryRun: boolean;
  /** --pull; undefined: a moving tag always, anything else when missing (pull-policy.ts). */
  pull?: PullPolicy | undefined;
  /** --stop-old: after the switch and the drain, the old color's services are scaled to 0 (a rollback scales them up). */
  stopOld?: boolean;
  signal: AbortSignal;
  /** `--canary`: weighted steps on both colors' task addresses before the switch (docs/swarm.md, "Canary"). */
  canary?: CanaryOptions | undefined;
}

/** Why one new service is not ready, with its task's reason and, when its node is this one, the last health output. */
async function describeFailure(swarm: SwarmServices, service: SwarmColorService, result: Exclude<TasksWaitResult, { ok: true }>, timeoutMs: number): Promise<string> {
  if (result.reason === 'timed-out') {
    const running = result.tasks.filter((t) => t.state === 'running' && t.desiredState === 'running').length;
    const waiting = result.tasks.find((t) => t.state !== 'running' && t.desiredState === 'running');
    const health = waiting === undefined ? undefined : await swarm.healthOutput(waiting);
    return `${service.name}: ${running}/${service.replicas} tasks running and healthy after ${Math.round(timeoutMs / 1000)} s (HEALTH_CHECK_TIMEOUT)${health === undefined ? '' : `; last healthcheck: ${health}`}`;
  }
  const health = await swarm.healthOutput(result.task);
  const reason = result.task.error ?? result.task.message ?? result.task.state;
  return `${service.name}: task ${result.task.slot} ${result.task.state} (${reason})${health === undefined ? '' : `; last healthcheck: ${health}`}`;
}

/** Removes the new color's services after a failure before the switch; Caddy never sent them traffic. */
async function removeCreated(runtime: Runtime, swarm: SwarmServices, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await swarm.remove(name).catch((error: unknown) => runtime.logger.warn({ event: 'swarm.remove.failed', service: name }, `could not remove ${name}: ${error instanceof Error ? error.message : String(error)}; remove it with docker service rm ${name}`));
  }
}

/** Plans (pure) over the project and Caddy's live color; refuses, changing nothing, what Swarm cannot run. */
async function planDeployOnSwarm(runtime: Runtime, project: ProjectConfig, version: string, operationId?: string): Promise<SwarmDeployPlan> {
  const live = await readSwarmLiveColor(runtime, project);
  const planned = planSwarmDeploy({ project, version, live, ...(operationId === undefined ? {} : { extraLabels: { 'cutover.operation': operationId } }) });
  if (!planned.ok) throw new ConfigInvalidError(planned.problems.map((message) => ({ file: 'deploy plan (--engine swarm)', path: '', message })), { hint: 'change the compose files as said, or deploy with --engine compose; nothing was changed' });
  for (const key of planned.plan.ignored) runtime.logger.warn({ event: 'swarm.key.ignored', key }, `Swarm does without ${key}; it is left out`);
  return planned.plan;
}

/** Pulls and resolves the new color's images (swarm-images.ts) and plans again (pure) over the project with them pinned. */
async function pinPlanImages(runtime: Runtime, swarm: SwarmServices, project: ProjectConfig, unpinned: SwarmDeployPlan, pull: PullPolicy | undefined, operationId: string): Promise<{ images: ServiceImages; plan: SwarmDeployPlan }> {
  const pinned = await pinSwarmColorImages(runtime, swarm, { project, color: unpinned.toColor, version: unpinned.version, pull });
  const planned = planSwarmDeploy({ project: pinned.project, version: unpinned.version, live: unpinned.fromColor, extraLabels: { 'cutover.operation': operationId } });
  if (!planned.ok) throw new ConfigInvalidError(planned.problems.map((message) => ({ file: 'deploy plan (--engine swarm)', path: '', message })), { hint: 'change the compose files as said; nothing was changed' });
  return { images: pinned.images, plan: planned.plan };
}

/**
 * `deploy --canary` on Swarm: the weighted steps between the health wait and
 * the final switch (swarm-canary.ts). A canary that fails went back to the old
 * color itself; its services are then removed, as before a switch.
 */
async function canaryBeforeSwitch(
  runtime: Runtime,
  input: { project: ProjectConfig; swarm: SwarmServices; keeper: StateKeeper; plan: SwarmDeployPlan; canary: CanaryOptions; signal: AbortSignal; created: readonly string[] },
): Promise<SwarmSwitchExtras> {
  const { plan, keeper } = input;
  if (plan.fromColor === undefined) return {};
  const networks = Object.fromEntries(plan.create.map((s) => [s.service, s.spec.TaskTemplate.Networks.map((n) => n.Target)]));
  const run = { runtime, project: input.project, swarm: input.swarm, keeper, fromColor: plan.fromColor, toColor: plan.toColor, canary: input.canary, networks, signal: input.signal };
  const extras = await runSwarmCanary(run).catch(async (error: unknown) => {
    if (error instanceof SwitchOutcomeUnknownError) throw error;
    await removeCreated(runtime, input.swarm, input.created);
    await keeper.update((s) => ({ ...finishOperation(s, { outcome: error instanceof CanaryAbortedError ? 'aborted' : 'failed', reason: error instanceof Error ? error.message : String(error) }, runtime.now()), engine: 'swarm' }));
    throw error;
  });
  await keeper.update((s) => enterPhase(s, 'switching', runtime.now()));
  return extras;
}

/**
 * `cutover --engine swarm deploy <version>` (docs/swarm.md): validate and plan
 * (nothing changes on a refusal), remove the previous standby's services, create
 * the new color's, wait until every task is running and healthy (a version that
 * never gets there: its services removed, traffic untouched, HealthTimeoutError),
 * switch every handler to the new color's `tasks.` names in one change per
 * Caddy, drain the old tasks, keep the old color's services as the standby, record.
 */
export async function swarmDeploy(runtime: Runtime, request: SwarmDeployRequest): Promise<SwarmDeployPlan> {
  const version = validateVersion(request.version);
  const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: version } });
  const swarm = SwarmServices.fromEnvironment(runtime.logger, runtime.env as NodeJS.ProcessEnv);
  if (request.dryRun) return planDeployOnSwarm(runtime, project, version);
  // On Swarm Caddy's config need not live in the project: the state dir may not exist before the first deploy.
  await mkdir(runtime.stateDir, { recursive: true });
  const lock = await acquireLock(runtime.stateDir, { command: `deploy ${version}`, now: runtime.now() });
  try {
    // An operation left open by a process that died (the lock is ours, so it is not running) is settled first.
    await settleSwarmOperation(runtime, project, swarm, `deploy ${version}`);
    // Planned under the lock: no other cutover moves traffic between the read and the switch.
    // The services carry the operation's id (cutover.operation), as containers do.
    const operationId = `deploy-${runtime.now().toISOString()}`;
    const unpinned = await planDeployOnSwarm(runtime, project, version, operationId);
    if (request.canary !== undefined && unpinned.fromColor === undefined) {
      throw new UsageError(`deploy ${version} --canary: no color is live yet to compare ${version} with`, { hint: `deploy ${version} without --canary first; nothing was changed` });
    }
    // Pulled and resolved before anything changes; the services are created from the pinned identities.
    const { images, plan } = await pinPlanImages(runtime, swarm, project, unpinned, request.pull, operationId);
    const state = (await readState(runtime.stateDir)) ?? emptyState(project.projectName);
    const fromVersion = plan.fromColor !== undefined && state.active?.color === plan.fromColor ? state.active.version : null;
    const fromImages = plan.fromColor !== undefined && state.active?.color === plan.fromColor ? state.active.images : undefined;
    // engine swarm from the start: a first deploy killed midway is still a Swarm project's (engine-mismatch.ts).
    const keeper = new StateKeeper(runtime.stateDir, {
      ...startOperation(state, { id: operationId, kind: request.canary === undefined ? 'deploy' : 'canary', fromColor: plan.fromColor ?? null, toColor: plan.toColor, fromVersion: plan.fromColor === undefined ? null : (fromVersion ?? 'unknown'), toVersion: version, phase: 'starting', pid: process.pid, host: os.hostname(), stopOld: request.stopOld === true, images, ...(fromImages === undefined ? {} : { fromImages }) }, runtime.now()),
      engine: 'swarm',
    });
    await keeper.update((s) => s);
    const created: string[] = [];
    try {
      // The to-color's services are the standby before the active one (or a failed run's leftovers): a Swarm service cannot be renamed or parked.
      for (const name of plan.removeFirst) if (await swarm.remove(name)) runtime.logger.info({ event: 'swarm.standby.removed', service: name }, `removed the previous standby ${name}`);
      for (const service of plan.create) {
        await swarm.create(service.spec);
        created.push(service.name);
        runtime.logger.info({ event: 'swarm.service.created', service: service.name }, `created ${service.name} (${service.replicas} task${service.replicas === 1 ? '' : 's'}, ${version})`);
      }
      await keeper.update((s) => enterPhase(s, 'waiting-healthy', runtime.now()));
      runtime.logger.info({ event: 'phase.start', phase: 'waiting-healthy' }, `wait until every task of ${plan.toColor} is running and healthy...`);
      const timeoutMs = project.settings.healthCheckTimeoutMs;
      const waits = await Promise.all(plan.create.map(async (service) => ({ service, result: await swarm.waitUntilHealthy(service.name, { replicas: service.replicas, timeoutMs, signal: request.signal }) })));
      const failures: string[] = [];
      for (const { service, result } of waits) if (!result.ok) failures.push(await describeFailure(swarm, service, result, timeoutMs));
      if (failures.length > 0) {
        throw new HealthTimeoutError(`${version} did not get healthy on Swarm: ${failures.join('; ')}; its services were removed and traffic was not touched`, {
          hint: `docker service ps --no-trunc ${plan.create[0]?.name ?? ''} shows every task's error; fix the version and deploy again`,
        });
      }
      runtime.logger.info({ event: 'swarm.healthy', color: plan.toColor }, `every task of ${plan.toColor} is running and healthy`);
      await keeper.update((s) => enterPhase(s, 'switching', runtime.now()));
    } catch (error) {
      await removeCreated(runtime, swarm, created);
      await keeper.update((s) => ({ ...finishOperation(s, { outcome: 'failed', reason: error instanceof Error ? error.message : String(error) }, runtime.now()), engine: 'swarm' }));
      throw error;
    }
    const extras = request.canary === undefined ? {} : await canaryBeforeSwitch(runtime, { project, swarm, keeper, plan, canary: request.canary, signal: request.signal, created });
    const recordSucceeded = () =>
      keeper.update((s) => ({
        ...finishOperation(s, { outcome: 'succeeded' }, runtime.now()),
        engine: 'swarm',
        swarmServices: { [plan.toColor]: created, ...(plan.fromColor === undefined ? {} : { [plan.fromColor]: plan.standby }) },
      }));
    await switchSwarmColor(runtime, swarm, project, plan.toColor, plan.fromColor, request.signal, extras).catch((error: unknown) =>
      // Caddy decides: a switch that took effect is kept (what failed was the drain), weights a canary left are taken back first.
      settleFailedSwarmSwitch(runtime, { swarm, project, keeper, fromColor: plan.fromColor, toColor: plan.toColor, created, afterCanary: request.canary !== undefined, extras, recordSucceeded, removeCreated: () => removeCreated(runtime, swarm, created) }, error),
    );
    await keeper.update((s) => enterPhase(s, 'draining', runtime.now()));
    if (request.stopOld === true && plan.fromColor !== undefined) {
      await keeper.update((s) => enterPhase(s, 'finishing', runtime.now()));
      await stopSwarmColor(runtime, swarm, project, plan.standby, request.signal);
    }
    await recordSucceeded();
    runtime.logger.info({ event: 'deploy.done', color: plan.toColor, version }, `${version} is live on ${plan.toColor}${plan.fromColor === undefined ? '' : `; ${plan.fromColor} is the standby`}`);
    return plan;
  } finally {
    await lock.release();
  }
}
