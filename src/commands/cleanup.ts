import { cleanup } from '../run/cleanup.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { resolveEngine } from './resolve-engine.js';

/** `cutover cleanup` */
export async function runCleanup(options: GlobalOptions, flags: { dryRun?: boolean }): Promise<number> {
  if (resolveEngine(options.engine) === 'swarm') return (await import('./swarm-cleanup.js')).runSwarmCleanup(options, flags);
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const result = await cleanup(runtime, { dryRun: flags.dryRun === true });
    const names = result.removed.map((c) => `${c.name} (${c.version})`).join(', ');
    if (result.removed.length === 0) process.stdout.write(`nothing to remove: only ${result.active} (active) has containers\n`);
    else process.stdout.write(flags.dryRun === true ? `would remove: ${names}\nkeeps ${result.active} (active)\n` : `removed: ${names}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
