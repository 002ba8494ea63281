import { swarmRollback } from '../run/swarm-rollback.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { withInterrupt } from './with-interrupt.js';

/** `cutover --engine swarm rollback`. */
export async function runSwarmRollback(options: GlobalOptions): Promise<number> {
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    await withInterrupt(context.logger, (signal) => swarmRollback(runtime, { signal }), { stateDir: runtime.stateDir });
    return 0;
  } finally {
    await runtime.close();
  }
}
