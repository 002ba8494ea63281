import { renderDeployPlan, type PullPolicy } from '../domain/plan-deploy.js';
import { deploy } from '../run/deploy.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { canaryOptionsFrom, type CanaryFlags } from './canary-flags.js';
import { withInterrupt } from './with-interrupt.js';

export interface DeployFlags extends CanaryFlags {
  pull: PullPolicy;
  stopOld?: boolean;
  dryRun?: boolean;
  verifyUrl?: string;
  failFast?: boolean;
}

/** `cutover deploy <version>` */
export async function runDeploy(options: GlobalOptions, version: string, flags: DeployFlags): Promise<number> {
  const canary = canaryOptionsFrom(flags);
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const result = await withInterrupt(context.logger, (signal) =>
      deploy(runtime, {
        version,
        pull: flags.pull,
        stopOld: flags.stopOld === true,
        dryRun: flags.dryRun === true,
        verifyUrl: flags.verifyUrl,
        failFast: flags.failFast === true,
        signal,
        canary,
      }),
    );
    if (flags.dryRun === true) process.stdout.write(renderDeployPlan(result.plan, canary));
    return 0;
  } finally {
    await runtime.close();
  }
}
