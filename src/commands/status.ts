import { renderStatus } from '../domain/status/render-status.js';
import { buildStatusReport } from '../domain/status/build-status-report.js';
import { observeStatus } from '../run/observe-status.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { resolveEngine } from './resolve-engine.js';

export interface StatusFlags {
  json?: boolean;
}

/**
 * `cutover status`: the report on stdout (text, or one JSON object with
 * --json); in text mode each problem also goes to stderr with its hint.
 * Returns the report's exit code: 0, or that of its first error.
 */
export async function runStatus(options: GlobalOptions, flags: StatusFlags): Promise<number> {
  if (resolveEngine(options.engine) === 'swarm') return (await import('./swarm-status.js')).runSwarmStatus(options, flags);
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const report = buildStatusReport(await observeStatus(runtime));
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.exitCode;
    }
    process.stdout.write(renderStatus(report));
    for (const problem of report.problems) {
      const head = problem.details.length > 1 ? `${problem.details.length} problems (${problem.kind}):` : problem.message;
      const lines = [head, ...(problem.details.length > 1 ? problem.details : []).map((d) => `  ${d}`), ...(problem.hint === null ? [] : [`  hint: ${problem.hint}`])];
      const fields = { event: 'status.problem', kind: problem.kind };
      if (problem.severity === 'error') context.logger.error(fields, lines.join('\n'));
      else context.logger.warn(fields, lines.join('\n'));
    }
    return report.exitCode;
  } finally {
    await runtime.close();
  }
}
