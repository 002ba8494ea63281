import os from 'node:os';
import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { loadProject } from '../config/load-project.js';
import { otherColor, type Color } from '../config/model.js';
import { RollbackFailedError } from '../errors.js';
import { acquireLock } from '../state/deploy-lock.js';
import { readState } from '../state/state-store.js';
import { finishOperation, startOperation } from '../state/state-transitions.js';
import type { Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';
import { readSwarmLiveColor, switchSwarmColor } from './swarm-switch.js';

/**
 * `cutover --engine swarm rollback`: the standby's services still run, so it is
 * one switch to their `tasks.` names (every task checked running first) and the
 * drain of the active color, which becomes the standby. A standby whose services
 * are gone or not all running is refused before anything changes.
 */
export async function swarmRollback(runtime: Runtime, request: { signal: AbortSignal }): Promise<{ color: Color; version: string }> {
  const lock = await acquireLock(runtime.stateDir, { command: 'rollback', now: runtime.now() });
  try {
    const state = await readState(runtime.stateDir);
    if (state === null || state.engine !== 'swarm' || state.active === null || state.standby === null) {
      throw new RollbackFailedError('there is no Swarm standby to roll back to (no deploy with --engine swarm recorded one)', { hint: 'cutover --engine swarm status shows what runs; deploy the version you want instead' });
    }
    const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: state.standby.version } });
    const swarm = SwarmServices.fromEnvironment(runtime.logger, runtime.env as NodeJS.ProcessEnv);
    const live = await readSwarmLiveColor(runtime, project);
    const to = state.standby.color;
    if (live !== otherColor(to)) {
      throw new RollbackFailedError(`Caddy sends traffic to ${live ?? 'no color'}, not to the recorded active color ${state.active.color}`, { hint: 'cutover --engine swarm status shows the drift; nothing was changed' });
    }
    const names = state.swarmServices?.[to] ?? [];
    for (const name of names) {
      const running = (await swarm.listTasks(name)).filter((t) => t.state === 'running' && t.desiredState === 'running');
      if (running.length === 0) throw new RollbackFailedError(`the standby service ${name} has no running task`, { hint: `docker service ps ${name} says why; deploy ${state.standby.version} again instead; nothing was changed` });
    }
    const keeper = new StateKeeper(
      runtime.stateDir,
      startOperation(state, { id: `rollback-${runtime.now().toISOString()}`, kind: 'rollback', fromColor: state.active.color, toColor: to, fromVersion: state.active.version, toVersion: state.standby.version, phase: 'switching', pid: process.pid, host: os.hostname() }, runtime.now()),
    );
    await keeper.update((s) => s);
    try {
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
