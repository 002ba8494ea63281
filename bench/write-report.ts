import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const START = '<!-- bench:results:start (written by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:results:end -->';

export const REPORT_PATH = new URL('../docs/benchmarks.md', import.meta.url);

/** Where the figures come from: the date and what this machine runs. */
export async function describeMachine(docker: Docker, loadAtStart: number): Promise<string> {
  const caddy = await promisify(execFile)('caddy', ['version'])
    .then((r) => r.stdout.trim().split(' ')[0] ?? 'unknown')
    .catch(() => 'unknown');
  const engine = await docker.version().then((v) => v.Version).catch(() => 'unknown');
  const cpus = os.cpus();
  return [
    `Measured ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC on ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? 'unknown'}),`,
    `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Linux ${os.release()}; Node ${process.versions.node}, Caddy ${caddy}, Docker engine ${engine}.`,
    `1-minute load average ${loadAtStart.toFixed(1)} at the start and ${(os.loadavg()[0] ?? 0).toFixed(1)} at the end (above ${cpus.length} means other work competed for the CPUs).`,
  ].join(' ');
}

/** The markers of the soak's results (`npm run bench -- soak`), a section of its own. */
export const SOAK_MARKERS = { start: '<!-- bench:soak:start (written by `npm run bench -- soak`; edit outside these markers) -->', end: '<!-- bench:soak:end -->' };

/** Replaces the results section of docs/benchmarks.md (between the markers), or appends it. */
export async function writeReport(machine: string, table: string, markers: { start: string; end: string } = { start: START, end: END }): Promise<void> {
  const { start, end } = markers;
  const section = `${start}\n${machine}\n\n${table}${end}`;
  const current = await readFile(REPORT_PATH, 'utf8').catch(() => '# Benchmarks\n');
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? `${current.slice(0, from)}${section}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${section}\n`;
  await writeFile(REPORT_PATH, next);
}
