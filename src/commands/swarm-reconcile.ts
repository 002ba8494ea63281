import { swarmReconcile } from '../run/swarm-reconcile.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';

/** `cutover --engine swarm reconcile [--dry-run]`: settles an interrupted operation, nothing else. */
export async function runSwarmReconcile(options: GlobalOptions, flags: { dryRun?: boolean }): Promise<number> {
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const result = await swarmReconcile(runtime, { dryRun: flags.dryRun === true });
    const settled = result.settled;
    if (result.running !== undefined) process.stdout.write(`nothing to settle: the ${result.running}\n`);
    else if (settled === undefined) process.stdout.write('nothing to settle: no operation is open in the state file\n');
    else {
      const { operation: op, plan } = settled;
      const done = plan.direction === 'finish' ? 'finish' : 'undo';
      const removed = plan.remove.length === 0 ? '' : `; remove ${plan.remove.join(', ')}`;
      process.stdout.write(result.dryRun ? `would ${done} the interrupted ${op.kind} to ${op.toVersion} (${op.toColor})${removed}\n` : `${done === 'finish' ? 'finished' : 'undone'}: the interrupted ${op.kind} to ${op.toVersion} (${op.toColor})${plan.remove.length === 0 ? '' : `; removed ${plan.remove.join(', ')}`}\n`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
