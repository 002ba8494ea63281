import type { CanaryResult } from './canary-result.js';
import { formatMs } from './progress.js';
import type { CanaryStepShare } from './read-canary-steps.js';

function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)} %`;
}

function stepRow(s: CanaryStepShare): string[] {
  return [
    s.step === undefined ? 'final switch' : `step ${s.step}`,
    `${s.weight} %`,
    `**${percent(s.newAnswers, s.answered)}** (${s.newAnswers} of ${s.answered})`,
    formatMs(s.to - s.from),
    `${s.failed}`,
    `${s.resets}`,
  ];
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** The canary's two tables as Markdown: the measured share per step, then the failing canary's abort against its bound; with notes. */
export function renderCanaryTable(r: CanaryResult): string {
  const interval = formatMs(r.stepIntervalMs);
  const h = r.healthy;
  const lines = [
    `Canary, healthy: \`cutover deploy ${h.version} --canary ${r.spec} --step-interval ${r.stepInterval}\` under the same load${h.stoppedBy === undefined ? '' : ` (STOPPED: ${h.stoppedBy})`}.`,
    '',
    ...table(['weights live', 'weight of the new color', `measured share of ${h.version} answers ³`, 'window ⁴', 'failed', 'resets, retried'], h.steps.map(stepRow)),
  ];
  const f = r.failing;
  const x = f.figures;
  lines.push(
    '',
    `Canary, failing: \`cutover deploy ${f.version} --canary ${r.spec} --step-interval ${r.stepInterval}\`; ${f.version} answers 500 to everything from ${formatMs(f.failAfterMs)} into step ${f.failingStep}.`,
    '',
    ...table(
      ['weight when failing began', 'failure caught (failed analysis) ⁵', 'all traffic back on the old color (`canary.reverted`) ⁵', 'failed requests before the abort ⁶ (after it)', 'bound: weight x step interval x request rate ⁷', 'aborted'],
      [
        x === undefined
          ? [`never reached step ${f.failingStep}`, 'n/a', 'n/a', 'n/a', 'n/a', f.aborted ? 'yes' : 'no']
          : [
              `${x.weight} %`,
              formatMs(x.detectedMs),
              formatMs(x.revertedMs),
              `**${x.failedBeforeAbort}** of ${x.requestsBeforeAbort} (${x.failedAfterAbort})`,
              `${(x.weight / 100).toFixed(2)} x ${interval} x ${Math.round(x.ratePerSecond)}/s = **${Math.round(x.bound)}**`,
              f.aborted ? 'yes, CanaryAbortedError' : `NO: ${f.outcome}`,
            ],
      ],
    ),
    '',
    `³ requests that started while the weights were live and were answered with a version (GET /version and the 2 s GET /slow; a POST /echo names none): the share that ${h.version} answered.`,
    '⁴ a step: from its `canary.step` event (Caddy has acknowledged the weights) to its `canary.analysis` event (the step is over, the next change not yet sent); the final switch: from its `switch.acknowledged` to 1.5 s after the deploy returned.',
    `⁵ from the moment the benchmark sent \`POST /control/errors?fail=1\` with \`Cutover-Color: <new color>\` to the \`canary.analysis\` event that failed, and to the \`canary.reverted\` event (Caddy acknowledged all traffic back on the old color).`,
    '⁶ of the requests that ended after the new version was told to fail and started before the revert (so a request already in flight counts): how many failed, and how many there were; in brackets, failed requests that started after the revert.',
    `⁷ what the failing version could cost if it were caught only at the end of the step: its weight x one step interval x the load's request rate from step 1 to the revert.`,
    '',
    'canary:',
    ...[
      `load: healthy canary ${h.requests} requests in ${h.load.seconds.toFixed(1)} s (${Math.round(h.load.perSecond)}/s), ${h.failed} failed and ${h.resets} reset(s) retried from the start of the deploy to the end; failing canary ${f.requests} requests in ${f.load.seconds.toFixed(1)} s (${Math.round(f.load.perSecond)}/s)`,
      ...r.notes,
    ].map((n) => `- ${n}`),
  );
  return `${lines.join('\n')}\n`;
}
