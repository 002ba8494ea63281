import { formatMs } from './progress.js';
import type { SoakResult } from './scenario-soak.js';

/** The soak's figures as Markdown: operations by kind, requests, and the sizes that must stay bounded. */
export function renderSoakTable(result: SoakResult): string {
  const rows = Object.entries(result.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, { count, ms }]) => `| ${kind} | ${count} | ${formatMs(ms / count)} |`);
  const kib = (k: number): string => `${(k / 1024).toFixed(0)} MiB`;
  const lines = [
    `Soak of ${result.planned} operations (seed ${result.seed}; replay with \`SOAK_SEED=${result.seed}\`): ${result.done} done in ${formatMs(result.totalMs)}, ${formatMs(result.done === 0 ? 0 : result.totalMs / result.done)} per operation with its checks.`,
    result.broken === undefined ? 'Every invariant held after every operation.' : `**Stopped: ${result.broken.split('\n')[0]}**`,
    '',
    '| operation | count | mean time |',
    '| --- | --- | --- |',
    ...rows,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| requests under load | ${result.requests} |`,
    `| failed (any error or non-2xx, after the one retry of a reset keep-alive connection) | ${result.failed}${result.failures.length > 0 ? `: ${result.failures.join('; ')}` : ''} |`,
    `| new connections reset at a Caddy reload (counted apart, see docs/crash-safety.md) | ${result.freshResets} |`,
    `| keep-alive connections reset before any byte, retried | ${result.retriedResets} |`,
    `| state file (bytes): after the first deploys, at the end, largest | ${result.first.stateBytes}, ${result.last.stateBytes}, ${result.maxStateBytes} (history: ${result.last.historyEntries} entries, capped) |`,
    `| Caddy's RSS: after the first deploys, at the end, largest | ${kib(result.first.caddyRssKiB)}, ${kib(result.last.caddyRssKiB)}, ${kib(result.maxCaddyRssKiB)} |`,
    `| the benchmark's own heap (MiB): start, end | ${result.benchHeapMiB.first}, ${result.benchHeapMiB.last} |`,
    `| files in caddy/: first, last | ${result.first.files.join(', ')}; ${result.last.files.join(', ')} |`,
    `| Docker networks, volumes of the project: first, last | ${result.first.networks}/${result.first.volumes}, ${result.last.networks}/${result.last.volumes} |`,
    '',
  ];
  return lines.join('\n');
}
