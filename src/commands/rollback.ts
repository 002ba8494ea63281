import { renderDeployPlan, type PullPolicy } from '../domain/plan-deploy.js';
import { rollback } from '../run/rollback.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { withInterrupt } from './with-interrupt.js';
import { resolveEngine } from './resolve-engine.js';

export interface RollbackFlags {
  pull: PullPolicy;
  dryRun?: boolean;
  verifyUrl?: string;
  failFast?: boolean;
}

/** `cutover rollback` */
export async function runRollback(options: GlobalOptions, flags: RollbackFlags): Promise<number> {
  if (resolveEngine(options.engine) === 'swarm') return (await import('./swarm-rollback.js')).runSwarmRollback(options);
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const result = await withInterrupt(context.logger, (signal) =>
      rollback(runtime, { pull: flags.pull, dryRun: flags.dryRun === true, verifyUrl: flags.verifyUrl, failFast: flags.failFast === true, signal }),
      { stateDir: runtime.stateDir },
    );
    if (flags.dryRun === true) process.stdout.write(renderDeployPlan(result.plan));
    return 0;
  } finally {
    await runtime.close();
  }
}
