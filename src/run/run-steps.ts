import { RollbackFailedError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatDuration } from '../domain/format-duration.js';

/**
 * One step of an operation. `run` does the work; `undo`, when present, puts
 * back what `run` changed. A step whose `run` fails must leave nothing behind
 * itself (its own undo is not called); the steps before it are undone.
 */
export interface Step {
  /** Stable phase name, used in log events and the state file (`switching`). */
  phase: string;
  /** What a person reads: "switch traffic to green". */
  title: string;
  run(signal: AbortSignal): Promise<void>;
  undo?: (() => Promise<void>) | undefined;
}

export interface StepTiming {
  phase: string;
  ms: number;
}

export interface RunStepsOptions {
  logger: Logger;
  signal: AbortSignal;
  /** Called before each step starts; the state file records the phase here. */
  onPhase?: ((phase: string) => Promise<void>) | undefined;
  /** Called with the error before the finished steps are undone. */
  beforeUndo?: ((error: unknown) => void) | undefined;
  /**
   * False leaves the finished steps as they are: when nobody can tell what the
   * failing step changed, undoing on a guess could make things worse. Default: undo.
   */
  undoOn?: ((error: unknown) => boolean) | undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs steps in order and times them. When one fails or the signal aborts,
 * the finished steps are undone newest first, and the original error is
 * rethrown. If an undo fails too, a RollbackFailedError says exactly which
 * part could not be put back: a failed undo is never swallowed.
 */
export async function runSteps(steps: readonly Step[], options: RunStepsOptions): Promise<StepTiming[]> {
  const { logger, signal } = options;
  const done: Step[] = [];
  const timings: StepTiming[] = [];
  try {
    for (const step of steps) {
      signal.throwIfAborted();
      await options.onPhase?.(step.phase);
      logger.info({ event: 'phase.start', phase: step.phase }, `${step.title}...`);
      const started = performance.now();
      await step.run(signal);
      const ms = Math.round(performance.now() - started);
      timings.push({ phase: step.phase, ms });
      done.push(step);
      logger.info({ event: 'phase.done', phase: step.phase, ms }, `${step.title}: done in ${formatDuration(ms)}`);
    }
    return timings;
  } catch (error) {
    if (options.undoOn?.(error) === false) throw error;
    options.beforeUndo?.(error);
    const failures: string[] = [];
    for (const step of [...done].reverse()) {
      if (step.undo === undefined) continue;
      logger.warn({ event: 'phase.undo', phase: step.phase }, `undo: ${step.title}`);
      try {
        await step.undo();
      } catch (undoError) {
        failures.push(`${step.title}: ${message(undoError)}`);
        logger.error({ event: 'phase.undo.failed', phase: step.phase, err: message(undoError) }, `could not undo "${step.title}": ${message(undoError)}`);
      }
    }
    if (failures.length > 0) {
      throw new RollbackFailedError(`${message(error)}; then undoing failed: ${failures.join('; ')}`, {
        cause: error,
        hint: 'cutover status shows where traffic goes and which containers run; fix what the message names, then run cutover rollback or deploy again',
      });
    }
    throw error;
  }
}
