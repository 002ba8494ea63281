import os from 'node:os';
import { loadProject } from '../config/load-project.js';
import type { Color } from '../config/model.js';
import type { JsonObject } from '../domain/caddy-json.js';
import { OperationFailedError } from '../errors.js';
import { writeCanaryRequest } from '../state/canary-request.js';
import { acquireLock, readLock } from '../state/deploy-lock.js';
import { readState } from '../state/state-store.js';
import type { Operation } from '../state/state-schema.js';
import { finishOperation } from '../state/state-transitions.js';
import { switchAll } from './switch-all.js';
import { drainUpstreams } from './drain-upstreams.js';
import type { Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';

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
  await finishCanary(runtime, operation, action, { color: target.color, version: target.version }, options.signal);
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
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

async function finishCanary(runtime: Runtime, operation: Operation & { canary: NonNullable<Operation['canary']> }, action: CanaryAction, target: { color: Color; version: string }, signal: AbortSignal): Promise<void> {
  const lock = await acquireLock(runtime.stateDir, { command: action });
  try {
    if (lock.replacedStale) runtime.logger.warn({ event: 'lock.stale', holder: lock.replacedStale }, `the canary's process (pid ${lock.replacedStale.pid}) is gone; finishing it here`);
    const state = await readState(runtime.stateDir);
    if (state === null || state.operation?.id !== operation.id) throw new OperationFailedError('the canary was finished by someone else meanwhile');
    const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: target.version } });
    const restore: Record<string, JsonObject | null> = {};
    for (const [service, lb] of Object.entries(operation.canary.originalLoadBalancing)) restore[service] = lb === null ? null : (lb as JsonObject);
    const keeper = new StateKeeper(runtime.stateDir, state);
    const { plan } = await switchAll(runtime, project, target.color, `sends everything to ${target.color}`, { restoreLoadBalancing: restore });
    if (action === 'promote') {
      const other = target.color === 'blue' ? 'green' : 'blue';
      const oldDials = [...new Set(plan.services.flatMap((s) => s.byColor[other]))];
      const drain = await drainUpstreams(runtime.admin, oldDials, { timeoutMs: project.settings.drainTimeoutMs, logger: runtime.logger, signal });
      if (!drain.drained) runtime.logger.warn({ event: 'drain.timeout', remaining: drain.remaining }, 'DRAIN_TIMEOUT reached with requests still in flight to the old color');
      await keeper.update((s) => finishOperation(s, { outcome: 'succeeded' }, runtime.now()));
    } else {
      await keeper.update((s) => finishOperation(s, { outcome: 'aborted', reason: `aborted by cutover abort (pid ${process.pid} on ${os.hostname()}) after the canary's process was gone` }, runtime.now()));
    }
  } finally {
    await lock.release();
  }
}
