import { parseDuration } from '../config/parse-duration.js';
import { UsageError } from '../errors.js';
import { controlCanary, type CanaryAction } from '../run/canary-control.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { resolveEngine } from './resolve-engine.js';
import { withInterrupt } from './with-interrupt.js';

/** `cutover promote` and `cutover abort` */
export async function runCanaryControl(options: GlobalOptions, action: CanaryAction, flags: { timeout: string }): Promise<number> {
  const timeoutMs = parseDuration(flags.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) throw new UsageError(`--timeout ${flags.timeout} is not a duration`, { hint: 'e.g. --timeout 120s or 5m' });
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const result = await withInterrupt(context.logger, async (signal) =>
        resolveEngine(options.engine) === 'swarm'
          ? (await import('../run/swarm-canary-control.js')).swarmControlCanary(runtime, action, { timeoutMs, signal })
          : controlCanary(runtime, action, { timeoutMs, signal }), { stateDir: runtime.stateDir });
    const verb = action === 'promote' ? 'promoted' : 'aborted';
    const how = result.how === 'requested' ? 'the running canary acted on it' : "the canary's process was gone; finished it here";
    process.stdout.write(`${verb}: traffic ${action === 'promote' ? 'goes on to' : 'is back on'} ${result.color} (${result.version}); ${how}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
