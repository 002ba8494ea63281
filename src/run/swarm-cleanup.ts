import os from 'node:os';
import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { loadProject } from '../config/load-project.js';
import { otherColor, type Color } from '../config/model.js';
import { planSwarmCleanup, type SwarmCleanupPlan } from '../domain/plan-swarm-cleanup.js';
import { OperationFailedError } from '../errors.js';
import { acquireLock } from '../state/deploy-lock.js';
import { readState } from '../state/state-store.js';
import { emptyState, enterPhase, finishOperation, startOperation } from '../state/state-transitions.js';
import type { State } from '../state/state-schema.js';
import type { Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';
import { settleSwarmOperation } from './swarm-recover.js';
import { readSwarmLiveColor } from './swarm-switch.js';

/** Reads the state, Caddy's live color and the project's services, and plans (pure); a refusal throws, nothing changed. */
async function planOnSwarm(runtime: Runtime, swarm: SwarmServices): Promise<{ plan: SwarmCleanupPlan; state: State }> {
  const state = await readState(runtime.stateDir);
  const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: state?.active?.version ?? 'unknown' } });
  const live = await readSwarmLiveColor(runtime, project);
  const colored = new Set(project.colored.map((s) => s.name));
  const existing = (await swarm.listColorServices(project.projectName)).filter((s) => colored.has(s.service));
  const planned = planSwarmCleanup({ live, state, existing });
  if (!planned.ok) throw new OperationFailedError(planned.message, { hint: planned.hint });
  // No state file (services left without one): the cleanup is recorded in a new one, with engine swarm.
  return { plan: planned.plan, state: state ?? { ...emptyState(project.projectName), engine: 'swarm' } };
}

/** The state without the removed color's services (and without the standby, which they were). */
function forgetColor(state: State, color: Color): State {
  const { [color]: _gone, ...kept } = state.swarmServices ?? {};
  return { ...state, swarmServices: kept };
}

/**
 * `cutover --engine swarm cleanup`: removes the Swarm services of the color
 * Caddy does not send traffic to (the standby, or what a failed run left),
 * never the live color's and never an image; Swarm stops their tasks with the
 * service's grace period. Refused while an operation is open. Journaled and
 * recorded in the history as a cleanup; `dryRun` only plans.
 */
export async function swarmCleanup(runtime: Runtime, options: { dryRun: boolean }): Promise<SwarmCleanupPlan> {
  const swarm = SwarmServices.fromEnvironment(runtime.logger, runtime.env as NodeJS.ProcessEnv);
  if (options.dryRun) return (await planOnSwarm(runtime, swarm)).plan;
  const lock = await acquireLock(runtime.stateDir, { command: 'cleanup', now: runtime.now() });
  try {
    const open = (await readState(runtime.stateDir))?.operation ?? null;
    // An operation left open by a process that died (the lock is ours, so it is not running) is settled first.
    if (open !== null) await settleSwarmOperation(runtime, await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: open.toVersion } }), swarm, 'cleanup');
    const { plan, state } = await planOnSwarm(runtime, swarm);
    if (plan.remove.length === 0) return plan;
    const standby = otherColor(plan.active);
    const keeper = new StateKeeper(
      runtime.stateDir,
      startOperation(state, { id: `cleanup-${runtime.now().toISOString()}`, kind: 'cleanup', fromColor: null, fromVersion: null, toColor: plan.active, toVersion: plan.activeVersion, phase: 'removing', pid: process.pid, host: os.hostname() }, runtime.now()),
    );
    await keeper.update((s) => s);
    const names = plan.remove.map((s) => s.name);
    runtime.logger.info({ event: 'cleanup.start', services: names }, `removing ${names.join(', ')}...`);
    try {
      for (const name of names) await swarm.remove(name);
    } catch (error) {
      await keeper.update((s) => finishOperation(s, { outcome: 'failed', reason: error instanceof Error ? error.message : String(error) }, runtime.now()));
      throw error;
    }
    await keeper.update((s) => forgetColor(finishOperation(enterPhase(s, 'removing', runtime.now()), { outcome: 'succeeded' }, runtime.now()), standby));
    runtime.logger.info({ event: 'cleanup.removed', services: names }, `removed ${plan.remove.map((s) => `${s.name} (${s.version})`).join(', ')}`);
    return plan;
  } finally {
    await lock.release();
  }
}
