import os from 'node:os';
import type { ProjectConfig } from '../config/model.js';
import type { DeployPlan } from '../domain/plan-deploy.js';
import { CanaryAbortedError, RollbackFailedError, SwitchOutcomeUnknownError } from '../errors.js';
import { emptyState, enterPhase, finishOperation, startOperation } from '../state/state-transitions.js';
import { canaryStep, type CanaryOptions } from './canary-step.js';
import { finishCutover } from './finish-cutover.js';
import type { Observation } from './observe-project.js';
import { runSteps, type Step } from './run-steps.js';
import type { Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';
import { migrateStep } from './migrate-step.js';
import type { MigrationPlan } from '../domain/plan-migration.js';
import { bakeRewrite, bakeStep, prepareBakeStep, type BakeOptions, type BakeRun } from './bake-step.js';
import type { TrafficByColor } from '../domain/aggregate-traffic.js';
import { pullStep, startStep, switchStep, verifyStep, waitHealthyStep, type CutoverContext } from './cutover-steps.js';

export interface CutoverOptions {
  /** A URL answered through Caddy after the switch; a non-2xx answer switches back. */
  verifyUrl: string | undefined;
  signal: AbortSignal;
  /** Shift traffic in weighted steps with analysis before the full switch. */
  canary?: CanaryOptions | undefined;
  /** deploy --migrate: run once before the new color starts (migrate-step.ts). */
  migration?: MigrationPlan | undefined;
  /** deploy --bake: watch the new color's real traffic after the switch, switch back by itself when it is worse (bake-step.ts). */
  bake?: BakeOptions | undefined;
}

export interface CutoverResult {
  plan: DeployPlan;
  timings: Array<{ phase: string; ms: number }>;
  drained: boolean;
}

/**
 * Applies a planned cutover (deploy, rollback, canary) as a recipe of named
 * steps: pull, start the new color (parking the old standby), wait until
 * healthy, [canary steps], switch, verify. The journal (the operation in the
 * state file) records each phase before it starts. Up to and including the
 * verification every step can undo itself, so a failure or an interrupt leaves
 * traffic, containers and the rollback target as they were; once verified, the
 * shared finish path (finish-cutover.ts) drains, keeps or stops the old color,
 * and records. After a kill, the next command settles the journal with the same
 * undo and finish functions (recover-interrupted.ts).
 */
export async function applyCutover(runtime: Runtime, project: ProjectConfig, observation: Observation, plan: DeployPlan, options: CutoverOptions): Promise<CutoverResult> {
  const { logger } = runtime;
  const journal = await openJournal(runtime, project, observation, plan, options.canary !== undefined);
  const ctx: CutoverContext = { runtime, project, journal, plan, observation, keepNew: false, standbyRestored: false };
  const steps = cutoverSteps(ctx, options);

  let timings: Array<{ phase: string; ms: number }>;
  try {
    timings = await runSteps(steps, {
      logger,
      signal: options.signal,
      onPhase: async (phase) => {
        await journal.update((s) => enterPhase(s, phase, runtime.now()));
      },
      beforeUndo: (error) => {
        ctx.keepNew = error instanceof CanaryAbortedError && options.canary?.keepFailed === true;
      },
      undoOn: (error) => !(error instanceof SwitchOutcomeUnknownError),
    });
  } catch (error) {
    await closeFailedOperation(ctx, error);
    throw error;
  }

  // Verified: the operation has succeeded. The finish path only completes it.
  const finished = await finishCutover(runtime, project, journal, { signal: options.signal });
  if (finished.drainMs > 0) timings.push({ phase: 'draining', ms: finished.drainMs });
  logger.info(
    { event: `${plan.kind}.done`, version: plan.version, color: plan.toColor, timings },
    `${plan.kind === 'deploy' ? 'deployed' : 'rolled back to'} ${plan.version} on ${plan.toColor}`,
  );
  return { plan, timings, drained: finished.drained };
}

/** Records the operation in the state file (phase preflight) before any step runs: the journal crash recovery reads. */
async function openJournal(runtime: Runtime, project: ProjectConfig, observation: Observation, plan: DeployPlan, isCanary: boolean): Promise<StateKeeper> {
  const state = startOperation(
    observation.state ?? emptyState(project.projectName),
    {
      id: `${plan.kind}-${runtime.now().toISOString()}`,
      kind: isCanary ? 'canary' : plan.kind,
      fromColor: plan.fromColor ?? null,
      toColor: plan.toColor,
      fromVersion: plan.fromVersion ?? null,
      toVersion: plan.version,
      phase: 'preflight',
      pid: process.pid,
      host: os.hostname(),
      stopOld: plan.stopOld,
      ...(plan.images === undefined ? {} : { images: plan.images }),
      ...(plan.fromImages === undefined ? {} : { fromImages: plan.fromImages }),
    },
    runtime.now(),
  );
  const journal = new StateKeeper(runtime.stateDir, state);
  await journal.update((s) => s);
  return journal;
}

/** The recipe: [pull], [migrate], [start, wait healthy], [canary], [prepare bake], switch, verify, [bake]. */
function cutoverSteps(ctx: CutoverContext, options: CutoverOptions): Step[] {
  const { runtime, project, journal, plan } = ctx;
  const canary = options.canary;
  const steps: Step[] = [];
  if (plan.pull.length > 0) steps.push(pullStep(ctx));
  if (options.migration !== undefined) steps.push(migrateStep(ctx, options.migration));
  if (plan.start.length > 0) steps.push(startStep(ctx), waitHealthyStep(ctx));
  const bake: BakeRun | undefined = options.bake === undefined ? undefined : { options: options.bake };
  if (canary !== undefined) {
    const keepForBake = (traffic: TrafficByColor): void => {
      if (bake !== undefined) bake.canaryTraffic = traffic;
    };
    const onRealTraffic = bake === undefined ? undefined : keepForBake;
    steps.push(canaryStep(runtime, project, plan.toColor, { ...canary, onRealTraffic }, journal));
  }
  if (bake !== undefined) steps.push(prepareBakeStep(runtime, bake));
  steps.push(switchStep(ctx, bake === undefined ? undefined : bakeRewrite(bake)), verifyStep(ctx, options.verifyUrl));
  if (bake !== undefined) steps.push(bakeStep(runtime, project, bake, { from: plan.fromColor ?? null, to: plan.toColor }, () => ctx.switched?.plan));
  return steps;
}

/**
 * After a failed step: closes the journal as aborted or failed, unless the switch's outcome is unknown or
 * part of the undo failed; then it stays open for the next command to settle. The caller rethrows.
 */
async function closeFailedOperation(ctx: CutoverContext, error: unknown): Promise<void> {
  const { runtime, journal, plan } = ctx;
  const { logger } = runtime;
  if (error instanceof SwitchOutcomeUnknownError) {
    // The journal stays open: the next command settles it by what Caddy really does.
    logger.error({ event: 'operation.left-open', phase: journal.state.operation?.phase }, `left the ${plan.kind} open in the state file, nothing undone: ${error.message}`);
    return;
  }
  if (error instanceof RollbackFailedError) {
    // Part of the undo failed (e.g. the Docker engine unreachable): closing the journal would orphan
    // the new containers and leave the parked standby parked. Open, the next command finishes the undo.
    logger.error({ event: 'operation.left-open', phase: journal.state.operation?.phase }, `left the ${plan.kind} open in the state file: the next cutover command (or cutover reconcile) finishes undoing it`);
    return;
  }
  const reason = error instanceof Error ? error.message : String(error);
  const outcome = error instanceof CanaryAbortedError ? 'aborted' : 'failed';
  await journal.update((s) => finishOperation(s, { outcome, reason, standbyRestored: ctx.standbyRestored }, runtime.now())).catch((writeError: unknown) =>
    logger.error({ event: 'state.write.failed', err: String(writeError) }, `could not record the failure in the state file: ${String(writeError)}`),
  );
}
