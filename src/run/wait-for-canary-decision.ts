import type { Color } from '../config/model.js';
import { CanaryAbortedError } from '../errors.js';
import { takeCanaryRequest } from '../state/canary-request.js';
import { enterPhase, updateCanary } from '../state/state-transitions.js';
import { sleep } from '../sleep.js';
import type { Runtime } from './runtime.js';
import type { StateKeeper } from './state-keeper.js';

/** How often a paused canary looks for a `cutover promote` or `cutover abort`. */
const REQUEST_POLL_MS = 200;

/** Paused at a weight: waits until `cutover promote` (go on) or `cutover abort` (back) is run. */
export async function waitForCanaryDecision(runtime: Runtime, keeper: StateKeeper, weight: number, toColor: Color, operationId: string, signal: AbortSignal): Promise<void> {
  await keeper.update((state) => {
    const paused = enterPhase(state, 'paused', runtime.now());
    return paused.operation?.canary === undefined ? paused : updateCanary(paused, { ...paused.operation.canary, paused: true });
  });
  runtime.logger.info({ event: 'canary.paused', weight, color: toColor }, `  paused at ${weight}% on ${toColor}: run cutover promote to go on, or cutover abort to go back`);
  for (;;) {
    signal.throwIfAborted();
    const request = await takeCanaryRequest(runtime.stateDir, operationId, ['promote', 'abort']);
    if (request?.action === 'abort') throw new CanaryAbortedError(`canary aborted at ${weight}% by cutover abort (pid ${request.pid})`);
    if (request?.action === 'promote') {
      runtime.logger.info({ event: 'canary.promoted', by: request.pid }, `  promoted by pid ${request.pid}`);
      await keeper.update((state) => (state.operation?.canary === undefined ? state : updateCanary(state, { ...state.operation.canary, paused: false })));
      return;
    }
    await sleep(REQUEST_POLL_MS, signal);
  }
}
