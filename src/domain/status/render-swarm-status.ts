import type { ServiceImages } from '../../state/state-schema.js';
import { describeIdentity } from '../image-identity.js';
import type { SwarmStatusReport } from './swarm-status-report.js';

/** `  web: repo@sha256:0123456789ab`: the pinned identity of each colored service, one line each. */
function imageLines(images: ServiceImages | null): string[] {
  return Object.entries(images ?? {}).map(([service, identity]) => `  ${service}: ${describeIdentity(identity)}`);
}

/**
 * The human form of `cutover --engine swarm status`: the live color (with its
 * version when it is the recorded one) and the pinned image of each service,
 * drift, the standby (with its images), an open operation,
 * each Caddy instance when there are several, then each color's services with
 * running/desired tasks. Problems go to stderr (the command prints them).
 */
export function renderSwarmStatus(report: SwarmStatusReport): string {
  const { active, traffic } = report;
  const live = traffic.kind === 'color' ? traffic.color : traffic.kind === 'mixed' ? 'mixed' : 'none';
  const lines = ['engine: swarm', `live: ${live}${active !== null && traffic.kind === 'color' && active.color === traffic.color ? ` ${active.version}` : ''}`];
  lines.push(...imageLines(active?.images ?? null));
  if (report.drift.length > 0 && active !== null) lines.push(`drift: the state file records ${active.color} ${active.version} as active`);
  lines.push(`standby: ${report.standby === null ? 'none' : `${report.standby.color} ${report.standby.version}${report.standby.stopped ? ' (scaled to 0)' : ''}`}`);
  lines.push(...imageLines(report.standby?.images ?? null));
  const op = report.operation;
  if (op !== null) lines.push(`operation: ${op.kind} to ${op.toVersion} (${op.toColor}) ${op.status === 'interrupted' ? 'interrupted (its process is gone)' : 'open'}, phase ${op.phase}, pid ${op.pid} on ${op.host}`);
  if (report.instances.length > 1) {
    for (const i of report.instances) lines.push(`caddy ${i.address}: ${!i.reachable ? 'unreachable' : i.traffic.kind === 'color' ? i.traffic.color : i.traffic.kind}${i.drift === true ? ' (drift)' : ''}`);
  }
  for (const color of ['blue', 'green'] as const) {
    for (const service of report.services) {
      for (const row of service.swarmServices.filter((s) => s.color === color)) lines.push(`${color} ${row.name}: ${row.running}/${row.desired} tasks running`);
    }
  }
  return `${lines.join('\n')}\n`;
}
