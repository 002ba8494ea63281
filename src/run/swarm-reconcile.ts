import { mkdir } from 'node:fs/promises';
import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { loadProject } from '../config/load-project.js';
import { acquireLock, readLock } from '../state/deploy-lock.js';
import { readState } from '../state/state-store.js';
import type { Runtime } from './runtime.js';
import { planOpenSwarmOperation, type SwarmRecovery, settleSwarmOperation } from './swarm-recover.js';

export interface SwarmReconcileResult {
  /** What was (or, with dryRun, would be) settled; undefined: nothing was open. */
  settled: SwarmRecovery | undefined;
  dryRun: boolean;
  /** dryRun only: the open operation's process still holds the lock (it is running, not interrupted). */
  running?: string;
}

/**
 * `cutover --engine swarm reconcile [--dry-run]`: settles an operation whose
 * process died (swarm-recover.ts), under the lock, and nothing else. A dry run
 * takes no lock and plans only; it says when the operation's process is still
 * running instead.
 */
export async function swarmReconcile(runtime: Runtime, options: { dryRun: boolean }): Promise<SwarmReconcileResult> {
  const state = await readState(runtime.stateDir);
  const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: state?.operation?.toVersion ?? state?.active?.version ?? 'unknown' } });
  const swarm = SwarmServices.fromEnvironment(runtime.logger, runtime.env as NodeJS.ProcessEnv);
  if (options.dryRun) {
    const lock = await readLock(runtime.stateDir);
    const op = state?.operation ?? null;
    if (op !== null && lock.kind === 'held' && lock.liveness !== 'dead' && lock.holder.pid === op.pid && lock.holder.host === op.host) {
      return { settled: undefined, dryRun: true, running: `${op.kind} to ${op.toVersion} (pid ${op.pid} on ${op.host}) is still running` };
    }
    return { settled: await planOpenSwarmOperation(runtime, project, swarm, state), dryRun: true };
  }
  await mkdir(runtime.stateDir, { recursive: true });
  const lock = await acquireLock(runtime.stateDir, { command: 'reconcile', now: runtime.now() });
  try {
    return { settled: await settleSwarmOperation(runtime, project, swarm, 'reconcile'), dryRun: false };
  } finally {
    await lock.release();
  }
}
