/**
 * The demo's report of one cutover operation: how long each phase took (from
 * the CLI's `phase.done` events), when Caddy acknowledged the switch
 * (`switch.acknowledged`), and what a load through Caddy saw meanwhile.
 */
import { summarizeLoad, type LoadSample } from '../../test/rig/load-client.js';
import { formatDuration } from '../../src/domain/format-duration.js';
import type { CliRun } from './run-cli.js';
import { routeFigures, type RouteFigures, type RouteSample } from './route-load.js';

export interface OperationReport {
  title: string;
  wallMs: number;
  /** From the command's start to its first log line: node start-up, then reading the project, Docker and Caddy (silent unless something is wrong). */
  startupMs: number | undefined;
  phases: Array<{ phase: string; ms: number }>;
  /** From the command's start to Caddy's acknowledgement; undefined when nothing was switched. */
  switchAfterMs: number | undefined;
  load:
    | {
        summary: ReturnType<typeof summarizeLoad>;
        kinds: Record<string, number>;
        /** Versions that answered requests started after the switch (GET /version and the slow ones). */
        afterSwitch: Record<string, number>;
      }
    | undefined;
  /** The load over every route, per route; undefined without one. */
  routes: RouteFigures[] | undefined;
  /** The version live before the operation: what must not answer after the switch. */
  oldVersion: string | undefined;
}

export function reportOperation(title: string, run: CliRun, samples?: readonly LoadSample[], routeLoad?: { samples: readonly RouteSample[]; oldVersion: string }): OperationReport {
  const phases = run.events.filter((e) => e.event === 'phase.done' && typeof e.phase === 'string' && typeof e.ms === 'number').map((e) => ({ phase: e.phase as string, ms: e.ms as number }));
  const ack = run.events.find((e) => e.event === 'switch.acknowledged');
  let load: OperationReport['load'];
  if (samples !== undefined) {
    const kinds: Record<string, number> = {};
    for (const s of samples) kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
    const afterSwitch: Record<string, number> = {};
    if (ack !== undefined) {
      for (const s of samples) {
        if (s.startedAt > ack.at && s.version !== undefined) afterSwitch[s.version] = (afterSwitch[s.version] ?? 0) + 1;
      }
    }
    load = { summary: summarizeLoad(samples), kinds, afterSwitch };
  }
  const first = run.events[0];
  const routes = routeLoad === undefined ? undefined : routeFigures(routeLoad.samples, ack?.at, routeLoad.oldVersion);
  return { title, wallMs: run.endedAt - run.startedAt, startupMs: first === undefined ? undefined : first.at - run.startedAt, phases, switchAfterMs: ack === undefined ? undefined : ack.at - run.startedAt, load, routes, oldVersion: routeLoad?.oldVersion };
}

/** Failed requests and old-version answers after the switch, over both loads: what a zero-downtime switch must keep at 0. */
export function reportFaults(report: OperationReport): { failed: number; oldAfterSwitch: number } {
  const routes = report.routes ?? [];
  return {
    failed: (report.load?.summary.failed ?? 0) + routes.reduce((sum, r) => sum + r.failed, 0),
    oldAfterSwitch: routes.reduce((sum, r) => sum + r.oldAfterSwitch, 0) + (report.oldVersion === undefined ? 0 : (report.load?.afterSwitch[report.oldVersion] ?? 0)),
  };
}


const counts = (record: Record<string, number>): string =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

export function renderReport(report: OperationReport): string[] {
  const startup = report.startupMs === undefined ? '' : ` (${formatDuration(report.startupMs)} of it before the first log line: node start-up, reading the project, Docker and Caddy)`;
  const lines = [`${report.title}: ${formatDuration(report.wallMs)} from command to exit${startup}`];
  lines.push(`  phases:      ${report.phases.map((p) => `${p.phase} ${formatDuration(p.ms)}`).join(', ') || 'none reported'}`);
  if (report.switchAfterMs !== undefined) lines.push(`  switch:      acknowledged by Caddy ${formatDuration(report.switchAfterMs)} after the command started`);
  if (report.load !== undefined) {
    const { summary, kinds, afterSwitch } = report.load;
    lines.push(`  load:        ${summary.requests} requests through Caddy (${counts(kinds)})`);
    lines.push(`  failures:    ${summary.failed}${summary.errors.length > 0 ? ` (${summary.errors.join(' | ')})` : ''}`);
    lines.push(`  resets:      ${summary.resets} (a reused keep-alive connection closed by Caddy's reload before any answer byte; retried once, as browsers do)`);
    lines.push(`  versions:    ${counts(summary.byVersion)}`);
    if (report.switchAfterMs !== undefined) lines.push(`  after switch: ${counts(afterSwitch)} (requests started after the acknowledgement)`);
  }
  if (report.routes !== undefined) {
    const width = Math.max(...report.routes.map((r) => r.route.length));
    lines.push(`  every route (a second load going round all ${report.routes.length} handlers; ${report.oldVersion ?? '?'} is the old version):`);
    lines.push(`    ${'route'.padEnd(width)}  requests  failed  after switch  old version after switch`);
    for (const r of report.routes) {
      const why = r.errors.length > 0 ? `  (${r.errors.join(' | ')})` : '';
      lines.push(`    ${r.route.padEnd(width)}  ${String(r.requests).padStart(8)}  ${String(r.failed).padStart(6)}  ${String(r.afterSwitch).padStart(12)}  ${String(r.oldAfterSwitch).padStart(24)}${why}`);
    }
  }
  return lines;
}
