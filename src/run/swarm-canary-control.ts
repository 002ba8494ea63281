import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { loadProject } from '../config/load-project.js';
import { OperationFailedError } from '../errors.js';
import { acquireLock, readLock } from '../state/deploy-lock.js';
import { readState } from '../state/state-store.js';
import { type CanaryAction, type CanaryControlResult, controlCanary } from './canary-control.js';
import type { Runtime } from './runtime.js';
import { swarmCanarySwitchExtras } from './swarm-canary.js';
import { settleSwarmOperation } from './swarm-recover.js';
import { switchSwarmColor } from './swarm-switch.js';

/**
 * `cutover --engine swarm promote | abort`. While the canary's own process
 * runs, they ask it exactly as on Compose (controlCanary: a request file it
 * polls). When that process is gone, they take the lock and finish the canary
 * from the state file: `promote` switches every handler to the new color's
 * `tasks.` name in one change per Caddy (the load balancing before the canary
 * put back, the traffic log out), then the journal is settled as finished;
 * `abort` settles it as undone (swarm-recover.ts: back to the old color's
 * `tasks.` name, the new services removed).
 */
export async function swarmControlCanary(runtime: Runtime, action: CanaryAction, options: { timeoutMs: number; signal: AbortSignal }): Promise<CanaryControlResult> {
  const lock = await readLock(runtime.stateDir);
  if (lock.kind === 'held' && lock.liveness === 'alive') return controlCanary(runtime, action, options);
  const operation = (await readState(runtime.stateDir))?.operation ?? null;
  if (operation === null || operation.canary === undefined || operation.fromColor === null || operation.fromVersion === null) {
    throw new OperationFailedError('no canary is in progress', { hint: 'cutover --engine swarm status shows what runs; promote and abort act on a canary started with deploy --canary' });
  }
  const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: operation.toVersion } });
  const swarm = SwarmServices.fromEnvironment(runtime.logger, runtime.env as NodeJS.ProcessEnv);
  const held = await acquireLock(runtime.stateDir, { command: action, now: runtime.now() });
  try {
    if (action === 'promote') {
      await switchSwarmColor(runtime, swarm, project, operation.toColor, operation.fromColor, options.signal, await swarmCanarySwitchExtras(swarm, project, operation.canary));
    }
    const settled = await settleSwarmOperation(runtime, project, swarm, action);
    if (settled?.operation.id !== operation.id) throw new OperationFailedError('the canary was finished by someone else meanwhile', { hint: 'cutover --engine swarm status shows where traffic goes now' });
  } finally {
    await held.release();
  }
  return action === 'promote' ? { action, how: 'finished', color: operation.toColor, version: operation.toVersion } : { action, how: 'finished', color: operation.fromColor, version: operation.fromVersion };
}
