import { COLORS, type Color } from '../config/model.js';
import { UsageError } from '../errors.js';
import { loadProjectForInspection } from '../run/load-project-for-inspection.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';

export interface LogsFlags {
  color?: Color;
  follow?: boolean;
  tail?: string;
}

/**
 * `cutover logs [service] [--color blue|green] [-f] [-n lines]`: the log lines
 * of cutover's colored containers, each prefixed with its container's name
 * (as `docker compose logs` does), read through Docker's API. Reads only.
 */
export async function runLogs(options: GlobalOptions, service: string | undefined, flags: LogsFlags): Promise<number> {
  const tail = Number(flags.tail ?? '100');
  if (!Number.isInteger(tail) || tail < 0) throw new UsageError(`--tail ${flags.tail}: expected a whole number of lines (0 or more)`);
  if (flags.color !== undefined && !COLORS.includes(flags.color)) throw new UsageError(`--color ${String(flags.color)}: expected blue or green`);
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  // Ctrl-C ends the reading. The handler is never removed: a Ctrl-C that arrives just as the
  // logs end on their own (a followed container stopped), while the process is exiting, must
  // not kill it by signal; this command is the process's last act.
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const project = await loadProjectForInspection(runtime);
    if (service !== undefined && !project.colored.some((s) => s.name === service)) {
      throw new UsageError(`"${service}" is not a colored service; choose one of ${project.colored.map((s) => s.name).join(', ')}`, {
        hint: 'shared services are run by Compose: docker compose logs <service>',
      });
    }
    const containers = (await runtime.docker.listContainers({ project: project.projectName, service, color: flags.color })).filter((c) => c.color !== undefined);
    if (containers.length === 0) {
      process.stderr.write(`no ${flags.color ?? 'colored'} container${service === undefined ? '' : ` of ${service}`} exists (cutover status shows what runs)\n`);
      return 0;
    }
    const width = Math.max(...containers.map((c) => c.name.length));
    const read = (id: string, name: string) =>
      runtime.docker.containerLogs(id, { tail, follow: flags.follow === true, signal: controller.signal, onLine: (line) => process.stdout.write(`${name.padEnd(width)} | ${line}\n`) });
    if (flags.follow === true) await Promise.all(containers.map((c) => read(c.id, c.name)));
    else for (const c of containers) await read(c.id, c.name);
    return 0;
  } finally {
    await runtime.close();
  }
}
