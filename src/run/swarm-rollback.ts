import os from 'node:os';
import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { loadProject } from '../config/load-project.js';
import { otherColor, type Color, type ProjectConfig } from '../config/model.js';
import { RollbackFailedError } from '../errors.js';
import type { ServiceImages } from '../domain/image-identity.js';
import { pinImages } from '../domain/pin-images.js';
import { planSwarmDeploy } from '../domain/plan-swarm-deploy.js';
import { planSwarmRollback, type SwarmRollbackPlan } from '../domain/plan-swarm-rollback.js';
import { swarmServiceName } from '../domain/swarm-service-name.js';
import { acquireLock } from '../state/deploy-lock.js';
import type { State } from '../state/state-schema.js';
import { readState } from '../state/state-store.js';
import { enterPhase, finishOperation, startOperation } from '../state/state-transitions.js';
import { readySwarmStandby } from './ready-swarm-standby.js';
import type { Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';
import { settleSwarmOperation } from './swarm-recover.js';
import { readSwarmLiveColor, switchSwarmColor } from './swarm-switch.js';

/**
 * Reads the standby's services and plans (pure) what must happen to them
 * first: scaled up from 0, or created again from the record (the standby's
 * version, each image pinned to its recorded identity). A refusal throws,
 * nothing changed.
 */
async function planStandby(swarm: SwarmServices, project: ProjectConfig, standby: NonNullable<State['standby']>, operationId: string): Promise<SwarmRollbackPlan> {
  const to = standby.color;
  const existing = await swarm.listColorServices(project.projectName);
  const services = await Promise.all(
    project.colored.map(async (colored) => {
      const name = swarmServiceName(project.projectName, colored.name, to);
      const now = existing.find((s) => s.name === name);
      const running = (await swarm.listTasks(name)).filter((t) => t.state === 'running' && t.desiredState === 'running').length;
      return { name, exists: now !== undefined, replicas: now?.replicas ?? 0, running, planned: colored.byColor[to].replicas };
    }),
  );
  // The standby color's services as a deploy of its version would create them, from its pinned images.
  const recreate = planSwarmDeploy({ project: pinImages(project, to, standby.images ?? {}), version: standby.version, live: otherColor(to), extraLabels: { 'cutover.operation': operationId } });
  const planned = planSwarmRollback({ version: standby.version, services, ...(recreate.ok ? { recreate: recreate.plan.create } : { recreateProblems: recreate.problems }) });
  if (!planned.ok) throw new RollbackFailedError(planned.message, { hint: planned.hint });
  return planned;
}

/** The standby's recorded identities become the live ones, the active color's the standby's (finishOperation). */
function recordedImages(images: ServiceImages | undefined, fromImages: ServiceImages | undefined): { images?: ServiceImages; fromImages?: ServiceImages } {
  return { ...(images === undefined ? {} : { images }), ...(fromImages === undefined ? {} : { fromImages }) };
}

/**
 * `cutover --engine swarm rollback`: the standby's services still run, so it is
 * one switch to their `tasks.` names (every service checked to have a running
 * task first) and the drain of the active color, which becomes the standby. A
 * standby service scaled to 0 is scaled up to its compose replicas and waited
 * for first; one that is gone is created again from the state file's record
 * (the standby's version, its pinned images) and waited for; one that should
 * run and has no running task is refused before anything changes.
 */
export async function swarmRollback(runtime: Runtime, request: { signal: AbortSignal }): Promise<{ color: Color; version: string }> {
  const lock = await acquireLock(runtime.stateDir, { command: 'rollback', now: runtime.now() });
  try {
    const swarm = SwarmServices.fromEnvironment(runtime.logger, runtime.env as NodeJS.ProcessEnv);
    const open = (await readState(runtime.stateDir))?.operation ?? null;
    // An operation left open by a process that died (the lock is ours, so it is not running) is settled first.
    if (open !== null) await settleSwarmOperation(runtime, await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: open.toVersion } }), swarm, 'rollback');
    const state = await readState(runtime.stateDir);
    if (state === null || state.engine !== 'swarm' || state.active === null || state.standby === null) {
      throw new RollbackFailedError('there is no Swarm standby to roll back to (no deploy with --engine swarm recorded one)', { hint: 'cutover --engine swarm status shows what runs; deploy the version you want instead' });
    }
    const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: state.standby.version } });
    const live = await readSwarmLiveColor(runtime, project);
    const to = state.standby.color;
    if (live !== otherColor(to)) {
      throw new RollbackFailedError(`Caddy sends traffic to ${live ?? 'no color'}, not to the recorded active color ${state.active.color}`, { hint: 'cutover --engine swarm status shows the drift; nothing was changed' });
    }
    const operationId = `rollback-${runtime.now().toISOString()}`;
    const planned = await planStandby(swarm, project, state.standby, operationId);
    const keeper = new StateKeeper(
      runtime.stateDir,
      startOperation(state, { id: operationId, kind: 'rollback', fromColor: state.active.color, toColor: to, fromVersion: state.active.version, toVersion: state.standby.version, phase: planned.scale.length + planned.create.length === 0 ? 'switching' : 'starting', pid: process.pid, host: os.hostname(), ...recordedImages(state.standby.images, state.active.images) }, runtime.now()),
    );
    await keeper.update((s) => s);
    try {
      await readySwarmStandby(runtime, swarm, planned, project.settings.healthCheckTimeoutMs, request.signal);
      await keeper.update((s) => enterPhase(s, 'switching', runtime.now()));
      await switchSwarmColor(runtime, swarm, project, to, state.active.color, request.signal);
    } catch (error) {
      await keeper.update((s) => finishOperation(s, { outcome: 'failed', reason: error instanceof Error ? error.message : String(error) }, runtime.now()));
      throw error;
    }
    // Services created again are recorded as the live color's, as a deploy records its own.
    const names = project.colored.map((c) => swarmServiceName(project.projectName, c.name, to));
    await keeper.update((s) => ({ ...finishOperation(s, { outcome: 'succeeded' }, runtime.now()), swarmServices: { ...s.swarmServices, [to]: names } }));
    runtime.logger.info({ event: 'rollback.done', color: to, version: state.standby.version }, `rolled back: ${state.standby.version} is live on ${to}`);
    return { color: to, version: state.standby.version };
  } finally {
    await lock.release();
  }
}
