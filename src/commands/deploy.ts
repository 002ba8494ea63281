import { renderDeployPlan, type PullPolicy } from '../domain/plan-deploy.js';
import { describeIdentity } from '../domain/image-identity.js';
import { deploy } from '../run/deploy.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { canaryOptionsFrom, type CanaryFlags } from './canary-flags.js';
import { bakeOptionsFrom } from './bake-flags.js';
import { withInterrupt } from './with-interrupt.js';
import { resolveEngine } from './resolve-engine.js';
import { assertAnalysisCommandFound } from './assert-analysis-command-found.js';

export interface DeployFlags extends CanaryFlags {
  pull?: PullPolicy;
  force?: boolean;
  stopOld?: boolean;
  dryRun?: boolean;
  verifyUrl?: string;
  failFast?: boolean;
  migrate?: string;
  migrateService?: string;
}

/** `cutover deploy <version>` */
export async function runDeploy(options: GlobalOptions, version: string, flags: DeployFlags): Promise<number> {
  if (resolveEngine(options.engine) === 'swarm') return (await import('./swarm-deploy.js')).runSwarmDeploy(options, version, flags);
  const canary = canaryOptionsFrom(flags);
  const bake = bakeOptionsFrom(flags, canary);
  const context = resolveContext(options);
  if (canary?.analysisCommand !== undefined) assertAnalysisCommandFound(canary.analysisCommand.argv[0] ?? '', context.projectDir);
  const runtime = createRuntime(context);
  try {
    const result = await withInterrupt(context.logger, (signal) =>
      deploy(runtime, {
        version,
        pull: flags.pull,
        force: flags.force === true,
        stopOld: flags.stopOld === true,
        dryRun: flags.dryRun === true,
        verifyUrl: flags.verifyUrl,
        failFast: flags.failFast === true,
        signal,
        canary,
        bake,
        migrate: { migrate: flags.migrate, migrateService: flags.migrateService },
      }),
      { stateDir: runtime.stateDir },
    );
    if (flags.dryRun === true) {
      process.stdout.write(renderDeployPlan(result.plan, canary));
      if (result.migration !== undefined) process.stdout.write(`migrate: ${result.migration.command} (once, in ${result.migration.service} ${result.plan.version}, before ${result.plan.toColor} starts)\n`);
    }
    else if (result.unchanged !== undefined) {
      const images = Object.entries(result.unchanged.images).map(([service, image]) => `${service} ${describeIdentity(image)}`).join(', ');
      process.stdout.write(`unchanged: ${result.unchanged.color} already runs ${images}; nothing was changed (--force deploys them again)\n`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
