import { swarmStatus } from '../run/swarm-status.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';

/** `cutover --engine swarm status`: text only so far. */
export async function runSwarmStatus(options: GlobalOptions): Promise<number> {
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    process.stdout.write(await swarmStatus(runtime));
    return 0;
  } finally {
    await runtime.close();
  }
}
