import { renderSwarmStatus } from '../domain/status/render-swarm-status.js';
import { swarmStatus } from '../run/swarm-status.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';

/**
 * `cutover --engine swarm status`: the report on stdout (text, or one JSON
 * object with --json); in text mode each problem also goes to stderr. Returns
 * the report's exit code (13 on drift, 4 for an unreachable Caddy, ...).
 */
export async function runSwarmStatus(options: GlobalOptions, flags: { json?: boolean } = {}): Promise<number> {
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const report = await swarmStatus(runtime);
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.exitCode;
    }
    process.stdout.write(renderSwarmStatus(report));
    for (const problem of report.problems) {
      const text = problem.hint === null ? problem.message : `${problem.message}\n  hint: ${problem.hint}`;
      if (problem.severity === 'error') context.logger.error({ event: 'status.problem', kind: problem.kind }, text);
      else context.logger.warn({ event: 'status.problem', kind: problem.kind }, text);
    }
    return report.exitCode;
  } finally {
    await runtime.close();
  }
}
