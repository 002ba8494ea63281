import os from 'node:os';
import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { loadProject } from '../config/load-project.js';
import { otherColor, type Color, type ProjectConfig } from '../config/model.js';
import { HealthTimeoutError, RollbackFailedError } from '../errors.js';
import type { ServiceImages } from '../domain/image-identity.js';
import { planSwarmRollback } from '../domain/plan-swarm-rollback.js';
import { swarmServiceName } from '../domain/swarm-service-name.js';
import { acquireLock } from '../state/deploy-lock.js';
import { readState } from '../state/state-store.js';
import { enterPhase, finishOperation, startOperation } from '../state/state-transitions.js';
import type { Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';
import { settleSwarmOperation } from './swarm-recover.js';
import { readSwarmLiveColor, switchSwarmColor } from './swarm-switch.js';

/** Reads the standby's services and plans (pure) what must be scaled up first; a refusal throws, nothing changed. */
async function planStandby(swarm: SwarmServices, project: ProjectConfig, to: Color, version: string): Promise<Array<{ name: string; replicas: number }>> {
  const existing = await swarm.listColorServices(project.projectName);
  const services = await Promise.all(
    project.colored.map(async (colored) => {
      const name = swarmServiceName(project.projectName, colored.name, to);
      const now = existing.find((s) => s.name === name);
      const running = (await swarm.listTasks(name)).filter((t) => t.state === 'running' && t.desiredState === 'running').length;
      return { name, exists: now !== undefined, replicas: now?.replicas ?? 0, running, planned: colored.byColor[to].replicas };
    }),
  );
  const planned = planSwarmRollback({ version, services });
  if (!planned.ok) throw new RollbackFailedError(planned.message, { hint: planned.hint });
  return planned.scale;
}

/** The standby's recorded identities become the live ones, the active color's the standby's (finishOperation). */
function recordedImages(images: ServiceImages | undefined, fromImages: ServiceImages | undefined): { images?: ServiceImages; fromImages?: ServiceImages } {
  return { ...(images === undefined ? {} : { images }), ...(fromImages === undefined ? {} : { fromImages }) };
}

/**
 * Scales each scaled-down standby service to its replicas and waits until every
 * new task is running and healthy (the tasks it had before are not judged);
 * when one does not get there, each is scaled back to 0 and the rollback fails
 * before the switch (HealthTimeoutError): traffic was not touched.
 */
async function scaleUpStandby(runtime: Runtime, swarm: SwarmServices, scale: ReadonlyArray<{ name: string; replicas: number }>, timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (scale.length === 0) return;
  const before = new Set((await Promise.all(scale.map((s) => swarm.listTasks(s.name)))).flat().map((t) => t.id));
  for (const { name, replicas } of scale) {
    await swarm.scale(name, replicas);
    runtime.logger.info({ event: 'swarm.standby.scaled', service: name, replicas }, `scaled the standby ${name} to ${replicas} (it had 0)`);
  }
  const waits = await Promise.all(scale.map(async (s) => ({ ...s, result: await swarm.waitUntilHealthy(s.name, { replicas: s.replicas, timeoutMs, signal, ignoreTasks: before }) })));
  const failed = waits.filter((w) => !w.result.ok);
  if (failed.length === 0) return;
  for (const { name } of scale) await swarm.scale(name, 0).catch(() => undefined);
  const why = failed.map((w) => `${w.name}: ${w.result.ok ? '' : w.result.reason === 'failed' ? `task ${w.result.task.state} (${w.result.task.error ?? w.result.task.message ?? ''})` : `not running and healthy after ${Math.round(timeoutMs / 1000)} s`}`);
  throw new HealthTimeoutError(`the standby did not get healthy when scaled up: ${why.join('; ')}; scaled back to 0, traffic was not touched`, { hint: 'docker service ps --no-trunc <service> shows every task\'s error; deploy the version you want instead' });
}

/**
 * `cutover --engine swarm rollback`: the standby's services still run, so it is
 * one switch to their `tasks.` names (every service checked to have a running
 * task first) and the drain of the active color, which becomes the standby. A
 * standby service scaled to 0 is scaled up to its compose replicas and waited
 * for first; one that is gone, or should run and has no running task, is
 * refused before anything changes.
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
    const planned = await planStandby(swarm, project, to, state.standby.version);
    const keeper = new StateKeeper(
      runtime.stateDir,
      startOperation(state, { id: `rollback-${runtime.now().toISOString()}`, kind: 'rollback', fromColor: state.active.color, toColor: to, fromVersion: state.active.version, toVersion: state.standby.version, phase: planned.length === 0 ? 'switching' : 'starting', pid: process.pid, host: os.hostname(), ...recordedImages(state.standby.images, state.active.images) }, runtime.now()),
    );
    await keeper.update((s) => s);
    try {
      await scaleUpStandby(runtime, swarm, planned, project.settings.healthCheckTimeoutMs, request.signal);
      await keeper.update((s) => enterPhase(s, 'switching', runtime.now()));
      await switchSwarmColor(runtime, swarm, project, to, state.active.color, request.signal);
    } catch (error) {
      await keeper.update((s) => finishOperation(s, { outcome: 'failed', reason: error instanceof Error ? error.message : String(error) }, runtime.now()));
      throw error;
    }
    await keeper.update((s) => finishOperation(s, { outcome: 'succeeded' }, runtime.now()));
    runtime.logger.info({ event: 'rollback.done', color: to, version: state.standby.version }, `rolled back: ${state.standby.version} is live on ${to}`);
    return { color: to, version: state.standby.version };
  } finally {
    await lock.release();
  }
}
