import { reconcile } from '../run/reconcile.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { resolveEngine } from './resolve-engine.js';
import { withInterrupt } from './with-interrupt.js';

/** `cutover reconcile` */
export async function runReconcile(options: GlobalOptions, flags: { dryRun?: boolean }): Promise<number> {
  if (resolveEngine(options.engine) === 'swarm') return (await import('./swarm-reconcile.js')).runSwarmReconcile(options, flags);
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const result = await withInterrupt(context.logger, (signal) => reconcile(runtime, { dryRun: flags.dryRun === true, signal }), { stateDir: runtime.stateDir });
    if (result.active === null) process.stdout.write('nothing recorded to reconcile: no color is active in the state file\n');
    else if (result.dryRun && !result.inSync) process.stdout.write(`would make Caddy send every service to ${result.active.color} (${result.active.version}), as recorded (see the lines above)\n`);
    else process.stdout.write(`Caddy sends every service to ${result.active.color} (${result.active.version}), as recorded${result.inSync ? '' : ' (put back now)'}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
