import { loadProject } from '../config/load-project.js';
import type { ProjectConfig, ServiceSpec } from '../config/model.js';
import { resolveContext, type GlobalOptions } from './command-context.js';

function describeSpec(spec: ServiceSpec): string {
  const replicas = spec.replicas === 1 ? '' : ` x${spec.replicas}`;
  const aliases = spec.networks.flatMap((n) => n.aliases);
  const health = spec.healthcheck === undefined ? 'no healthcheck' : spec.healthcheck === 'disabled' ? 'healthcheck disabled' : 'healthcheck';
  return `${spec.image}${replicas}, ${aliases.length > 0 ? `aliases ${aliases.join(' ')}` : 'no aliases'}, ${health}, stop grace ${spec.stopGracePeriodMs / 1000}s`;
}

export function renderProject(project: ProjectConfig): string {
  const lines = [`project ${project.projectName} (${project.projectDir})`, `files: ${project.files.join(', ')}`, 'colored services (deployed in blue and green):'];
  for (const service of project.colored) {
    lines.push(`  ${service.name}${service.imageFollowsVersion ? '' : '  (image does not use ${VERSION}: a deploy cannot change it)'}`);
    for (const color of ['blue', 'green'] as const) lines.push(`    ${color}: ${describeSpec(service.byColor[color])}`);
  }
  lines.push('shared services (never recreated by a deploy):');
  for (const spec of project.shared) lines.push(`  ${spec.name}: ${spec.image}`);
  const s = project.settings;
  lines.push(`settings: HEALTH_CHECK_TIMEOUT ${s.healthCheckTimeoutMs / 1000}s, HEALTH_CHECK_INTERVAL ${s.healthCheckIntervalMs / 1000}s, DRAIN_TIMEOUT ${s.drainTimeoutMs / 1000}s, HEALTH_FAIL_FAST ${s.healthFailFast ? 'on' : 'off'}`);
  return `${lines.join('\n')}\n`;
}

/** `cutover config`: validates the project files and shows what cutover understood of them. */
export async function runConfig(options: GlobalOptions, flags: { json?: boolean; version?: string }): Promise<number> {
  const context = resolveContext(options);
  const variables: Record<string, string> = flags.version === undefined ? {} : { VERSION: flags.version };
  const project = await loadProject({ projectDir: context.projectDir, env: context.env, variables });
  process.stdout.write(flags.json === true ? `${JSON.stringify(project, null, 2)}\n` : renderProject(project));
  return 0;
}
