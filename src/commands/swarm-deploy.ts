import type { PullPolicy } from '../domain/pull-policy.js';
import { swarmDeploy } from '../run/swarm-deploy.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { withInterrupt } from './with-interrupt.js';
import { assertAnalysisCommandFound } from './assert-analysis-command-found.js';
import { canaryOptionsFrom, type CanaryFlags } from './canary-flags.js';

/** `cutover --engine swarm deploy <version>` (the flags it does not take were refused in cli.ts). */
export async function runSwarmDeploy(options: GlobalOptions, version: string, flags: CanaryFlags & { dryRun?: boolean; pull?: PullPolicy; stopOld?: boolean }): Promise<number> {
  const canary = canaryOptionsFrom(flags);
  const context = resolveContext(options);
  if (canary?.analysisCommand !== undefined) assertAnalysisCommandFound(canary.analysisCommand.argv[0] ?? '', context.projectDir);
  const runtime = createRuntime(context);
  try {
    const plan = await withInterrupt(context.logger, (signal) => swarmDeploy(runtime, { version, dryRun: flags.dryRun === true, pull: flags.pull, stopOld: flags.stopOld === true, signal, canary }), { stateDir: runtime.stateDir });
    if (flags.dryRun === true) {
      const lines = [
        `deploy ${plan.version} to ${plan.toColor} on Swarm${plan.fromColor === undefined ? ' (first deploy)' : `, ${plan.fromColor} becomes the standby`}`,
        ...plan.removeFirst.map((name) => `  remove ${name} if it exists (the previous standby)`),
        ...plan.create.map((s) => `  create ${s.name}: ${s.replicas} task${s.replicas === 1 ? '' : 's'} of ${s.spec.TaskTemplate.ContainerSpec.Image}`),
        ...(canary === undefined ? [] : [`  canary ${canary.steps.weights.map((w) => `${w}%`).join(', ')}: each step one change to both colors' task addresses, weighted, analysed for ${Math.round(canary.stepIntervalMs / 1000)} s`]),
        `  switch every handler to tasks.<service>-${plan.toColor} in one change, then drain`,
        ...(flags.stopOld === true && plan.fromColor !== undefined ? [`  scale ${plan.standby.join(', ')} to 0 (--stop-old)`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
