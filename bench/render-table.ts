import { formatMs } from './progress.js';
import type { ScenarioResult } from './scenario-result.js';

const HEADER = [
  'scenario',
  'requests',
  'failed (deploy / rollback)',
  'resets, retried (deploy / rollback)',
  'mixed-version window (deploy / rollback)',
  'start',
  'healthy',
  'switch ¹',
  'drain',
  'deploy total',
  'rollback ²',
];

function row(r: ScenarioResult): string[] {
  return [
    r.name,
    `${r.requests} (${Math.round(r.load.perSecond)}/s)`,
    `${r.deploy.failed} / ${r.rollback.failed}`,
    `${r.deploy.resets} / ${r.rollback.resets}`,
    `${formatMs(r.mixedMs.deploy)} / ${formatMs(r.mixedMs.rollback)}`,
    formatMs(r.phases.startMs),
    formatMs(r.phases.healthyMs),
    formatMs(r.phases.switchMs),
    r.phases.drain,
    formatMs(r.phases.totalMs),
    formatMs(r.rollbackMs),
  ];
}

/** The result table as Markdown (readable as plain text too), with the footnotes and each scenario's notes and errors. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of results) lines.push(`| ${row(r).join(' | ')} |`);
  lines.push(
    '',
    '¹ from "Docker says the new color is healthy" to the start of the last new request that v1 answered: after that, every new request got v2.',
    '² from the start of the rollback to the start of the last new request that v2 answered: after that, every new request got v1.',
  );
  for (const r of results) {
    const details = [
      `load: ${r.requests} requests in ${r.load.seconds.toFixed(1)} s (the load runs from before the deploy until 1.5 s after the rollback); GET latency p50 ${formatMs(r.load.getP50)}, p99 ${formatMs(r.load.getP99)}`,
      ...r.notes,
    ];
    for (const [when, counts] of [['deploy', r.deploy], ['rollback', r.rollback]] as const) {
      if (counts.errors.length > 0) details.push(`${when}: failures: ${counts.errors.join(' | ')}`);
    }
    lines.push('', `${r.name}:`, ...details.map((d) => `- ${d}`));
  }
  return `${lines.join('\n')}\n`;
}
