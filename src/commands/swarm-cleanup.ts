import { createRuntime } from '../run/runtime.js';
import { swarmCleanup } from '../run/swarm-cleanup.js';
import { resolveContext, type GlobalOptions } from './command-context.js';

/** `cutover --engine swarm cleanup [--dry-run]`. */
export async function runSwarmCleanup(options: GlobalOptions, flags: { dryRun?: boolean }): Promise<number> {
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const plan = await swarmCleanup(runtime, { dryRun: flags.dryRun === true });
    const names = plan.remove.map((s) => `${s.name} (${s.version})`).join(', ');
    if (plan.remove.length === 0) process.stdout.write(`nothing to remove: only ${plan.active} (active) has Swarm services\n`);
    else process.stdout.write(flags.dryRun === true ? `would remove: ${names}\nkeeps ${plan.active} (active)\n` : `removed: ${names}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
