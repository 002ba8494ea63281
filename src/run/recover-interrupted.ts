import type { ProjectConfig } from '../config/model.js';
import { planRecovery, type RecoveringCommand, type RecoveryPlan } from '../domain/plan-recovery.js';
import { RollbackFailedError } from '../errors.js';
import type { HistoryEntry, Operation, State } from '../state/state-schema.js';
import { finishOperation } from '../state/state-transitions.js';
import { finishCutover } from './finish-cutover.js';
import { finishReset } from './finish-reset.js';
import { settleMigration } from './migrate-step.js';
import type { Observation } from './observe-project.js';
import type { Runtime } from './runtime.js';
import { originalLoadBalancing, sendTrafficBack } from './send-traffic-back.js';
import { stopAndRemove } from './start-color.js';
import { StateKeeper } from './state-keeper.js';
import { switchAll, switchAllToPlain } from './switch-all.js';
import { undoStartedColor } from './undo-started-color.js';

export interface RecoveringBy {
  /** The command line in words, kept in the history: `deploy v3`, `reconcile`, `promote`. */
  command: string;
  role: RecoveringCommand;
}

function describe(operation: Operation): string {
  return `${operation.kind} to ${operation.toVersion} (${operation.toColor}, phase ${operation.phase}, pid ${operation.pid} on ${operation.host}, started ${operation.startedAt})`;
}

/**
 * Settles an operation whose process died, before the command that meets it
 * does its own job. The caller holds the lock, so the operation in the state
 * file cannot belong to a live process. Finishing and undoing use the same
 * functions as the operation's own process: the finish path (drain, keep or
 * stop, record) and the undos of its steps (traffic back, new containers
 * removed, the parked standby back). Returns the state as it is afterwards.
 */
export async function recoverInterrupted(runtime: Runtime, project: ProjectConfig, observation: Observation, by: RecoveringBy, signal: AbortSignal): Promise<State | null> {
  const state = observation.state;
  const operation = state?.operation ?? null;
  if (state === null || operation === null) return state;
  const plan = planRecovery(operation, observation.traffic.live, by.role);
  const journal = new StateKeeper(runtime.stateDir, state);
  const recovered = { by: by.command, phase: operation.phase, direction: plan.direction === 'finish' ? 'finished' : 'undone' } as const;
  runtime.logger.warn(
    { event: 'recovery.start', operation: operation.id, kind: operation.kind, phase: operation.phase, direction: plan.direction, switchTo: plan.switchTo ?? null },
    `an interrupted ${describe(operation)} is recorded; ${plan.direction === 'finish' ? 'finishing' : 'undoing'} it first: ${plan.reason.replace(/: (finished|undone)$/, '')}`,
  );
  try {
    await settleMigration(runtime, project, journal, signal);
    if (operation.kind === 'cleanup') {
      const idle = observation.containers.filter((c) => c.color !== undefined && c.color !== operation.toColor);
      await stopAndRemove(runtime, project, idle);
      await journal.update((s) => finishOperation(s, { outcome: 'succeeded', reason: plan.reason, recovered }, runtime.now()));
    } else if (operation.kind === 'reset') {
      await settleReset(runtime, project, journal, plan, { signal, recovered });
    } else if (plan.direction === 'finish') {
      if (plan.switchTo !== undefined && plan.switchTo !== 'plain') {
        await switchAll(runtime, project, plan.switchTo, `sends every service to ${plan.switchTo}`, { restoreLoadBalancing: originalLoadBalancing(operation) });
      }
      await finishCutover(runtime, project, journal, { signal, recovered, reason: plan.reason });
    } else {
      if (plan.switchTo !== undefined || operation.canary !== undefined) await sendTrafficBack(runtime, project, operation);
      const undone = await undoStartedColor(runtime, project, operation, { keepNew: false });
      const reason = undone.standbyProblem === undefined ? plan.reason : `${plan.reason}; the previous standby could not be brought back: ${undone.standbyProblem}`;
      await journal.update((s) => finishOperation(s, { outcome: plan.outcome, reason, recovered, standbyRestored: undone.standbyRestored }, runtime.now()));
    }
  } catch (error) {
    throw new RollbackFailedError(`could not settle the interrupted ${describe(operation)}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      hint: 'nothing else was changed; cutover status shows where traffic goes. Fix what the message names, then run cutover reconcile',
    });
  }
  runtime.logger.info({ event: 'recovery.done', operation: operation.id, direction: plan.direction, outcome: plan.outcome }, `the interrupted ${operation.kind} is ${plan.direction === 'finish' ? 'finished' : 'undone'}`);
  return journal.state;
}

/**
 * A reset: finished once Caddy is on the plain services (one switch there
 * first when it was past its switch but Caddy is elsewhere now), by the same
 * finish path as its own process (drain, remove the colors, plain mode
 * recorded); undone before that: traffic back on the color it started from
 * when Caddy is elsewhere, the plain containers it started removed.
 */
async function settleReset(
  runtime: Runtime,
  project: ProjectConfig,
  journal: StateKeeper,
  plan: RecoveryPlan,
  options: { signal: AbortSignal; recovered: NonNullable<HistoryEntry['recovered']> },
): Promise<void> {
  const operation = journal.state.operation as Operation;
  if (plan.direction === 'finish') {
    if (plan.switchTo === 'plain') await switchAllToPlain(runtime, project, 'sends every service to its plain service', { keepPreviews: true });
    await finishReset(runtime, project, journal, { signal: options.signal, recovered: options.recovered, reason: plan.reason });
    return;
  }
  if (plan.switchTo !== undefined) await sendTrafficBack(runtime, project, operation);
  await undoStartedColor(runtime, project, operation, { keepNew: false });
  await journal.update((s) => finishOperation(s, { outcome: plan.outcome, reason: plan.reason, recovered: options.recovered }, runtime.now()));
}
