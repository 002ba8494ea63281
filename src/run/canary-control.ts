import { loadProject } from '../config/load-project.js';
import type { Color } from '../config/model.js';
import { OperationFailedError } from '../errors.js';
import { writeCanaryRequest } from '../state/canary-request.js';
import { readLock } from '../state/deploy-lock.js';
import { readState } from '../state/state-store.js';
import type { Operation } from '../state/state-schema.js';
import { sleep } from '../sleep.js';
import { preflight } from './preflight.js';
import type { Runtime } from './runtime.js';

export type CanaryAction = 'promote' | 'abort';

export interface CanaryControlResult {
  action: CanaryAction;
  /** `requested`: the running canary was asked and acted; `finished`: its process was gone, this one finished it. */
  how: 'requested' | 'finished';
  color: Color;
  version: string;
}

const WAIT_POLL_MS = 200;

function canaryOf(operation: Operation | null): Operation & { canary: NonNullable<Operation['canary']> } {
  if (operation === null || operation.canary === undefined) {
    throw new OperationFailedError('no canary is in progress', { hint: 'cutover status shows what runs; promote and abort act on a canary started with deploy --canary' });
  }
  return operation as Operation & { canary: NonNullable<Operation['canary']> };
}

/**
 * `cutover promote` / `cutover abort`. While the canary's own process runs,
 * they ask it (a request file it polls) and wait until it has acted. When that
 * process is gone (killed, machine restarted), they take the lock and finish
 * the canary themselves from the state file: promote sends everything to the
 * new color, abort back to the old one, each in one change that also puts the
 * user's load balancing back.
 */
export async function controlCanary(runtime: Runtime, action: CanaryAction, options: { timeoutMs: number; signal: AbortSignal }): Promise<CanaryControlResult> {
  const operation = canaryOf((await readState(runtime.stateDir))?.operation ?? null);
  const target = action === 'promote' ? { color: operation.toColor, version: operation.toVersion } : { color: operation.fromColor, version: operation.fromVersion };
  if (target.color === null || target.version === null) throw new OperationFailedError('the canary records no old color to go back to');
  const lock = await readLock(runtime.stateDir);
  if (lock.kind === 'held' && lock.liveness === 'alive') {
    if (action === 'promote' && !operation.canary.paused) {
      throw new OperationFailedError(`the canary is not paused (step ${operation.canary.stepIndex + 1}, ${operation.canary.weights[operation.toColor]}% on ${operation.toColor}); it goes on by itself`, {
        hint: 'cutover abort stops it; promote is for a canary paused at a step',
      });
    }
    await writeCanaryRequest(runtime.stateDir, { action, operationId: operation.id, pid: process.pid, at: runtime.now().toISOString() });
    runtime.logger.info({ event: `canary.${action}.requested` }, `asked the running canary (pid ${lock.holder.pid}) to ${action}; waiting for it...`);
    await waitUntilActed(runtime, operation.id, action, options);
    return { action, how: 'requested', color: target.color, version: target.version };
  }
  await finishCanary(runtime, operation, action, options.signal);
  return { action, how: 'finished', color: target.color, version: target.version };
}

async function waitUntilActed(runtime: Runtime, operationId: string, action: CanaryAction, options: { timeoutMs: number; signal: AbortSignal }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const operation = (await readState(runtime.stateDir))?.operation ?? null;
    // Abort: done when the operation is closed. Promote: done when it left the pause (or finished).
    const done = operation === null || operation.id !== operationId || (action === 'promote' && operation.canary?.paused === false);
    if (done) return;
    if (Date.now() > deadline) throw new OperationFailedError(`the running canary did not act on ${action} within ${Math.round(options.timeoutMs / 1000)} s`, { hint: 'cutover status shows its phase; if its process hangs, stop it and run this again' });
    options.signal.throwIfAborted();
    await sleep(WAIT_POLL_MS, options.signal);
  }
}

/**
 * The canary's process is gone: take the lock and settle the journal like any
 * command would, as `promote` (finish onto the new color) or `abort` (back).
 */
async function finishCanary(runtime: Runtime, operation: Operation, action: CanaryAction, signal: AbortSignal): Promise<void> {
  const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: action === 'promote' ? operation.toVersion : (operation.fromVersion ?? operation.toVersion) } });
  const { lock } = await preflight(runtime, project, { command: action, dryRun: false, role: action, signal });
  await lock?.release();
  const settled = (await readState(runtime.stateDir))?.history.find((h) => h.id === operation.id);
  if (settled?.recovered?.by !== action) throw new OperationFailedError('the canary was finished by someone else meanwhile', { hint: 'cutover status shows where traffic goes now' });
}
