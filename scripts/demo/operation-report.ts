/**
 * The demo's report of one cutover operation: how long each phase took (from
 * the CLI's `phase.done` events), when Caddy acknowledged the switch
 * (`switch.acknowledged`), and what a load through Caddy saw meanwhile.
 */
import { summarizeLoad, type LoadSample } from '../../test/rig/load-client.js';
import { formatDuration } from '../../src/domain/format-duration.js';
import type { CliRun } from './run-cli.js';

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
}

export function reportOperation(title: string, run: CliRun, samples?: readonly LoadSample[]): OperationReport {
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
  return { title, wallMs: run.endedAt - run.startedAt, startupMs: first === undefined ? undefined : first.at - run.startedAt, phases, switchAfterMs: ack === undefined ? undefined : ack.at - run.startedAt, load };
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
  return lines;
}
