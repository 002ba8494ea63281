import type { Color } from '../config/model.js';
import type { CanaryFigures } from './canary-verdict.js';
import type { ColorFigures } from './color-figures.js';
import { formatDuration } from './format-duration.js';

/** `35.0%`, `1.0%`, `0.25%`: one decimal unless that would hide the value. */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  const oneDecimal = percent.toFixed(1);
  return `${Number(oneDecimal) === percent || percent >= 10 ? oneDecimal : String(Number(percent.toPrecision(2)))}%`;
}


function describeColor(color: Color, figures: ColorFigures): string {
  const latency = figures.probes > figures.errors ? `, p50 ${formatDuration(figures.p50Ms)}, p99 ${formatDuration(figures.p99Ms)}` : '';
  const resets = figures.resets > 0 ? `, ${figures.resets} reset${figures.resets === 1 ? '' : 's'}` : '';
  return `${color} ${formatPercent(figures.errorRate)} errors (${figures.errors} of ${figures.probes} probes)${latency}${resets}`;
}

/**
 * One line for logs and for the message of an aborted canary, e.g.
 * `green 0.0% errors (0 of 30 probes), p50 2.1 ms, p99 6.0 ms; blue ...; Caddy fails on green: 0`.
 */
export function describeCanaryFigures(figures: CanaryFigures, colors: { old: Color; new: Color }): string {
  const fails = figures.caddyFails === undefined ? '' : `; Caddy fails on ${colors.new}: ${figures.caddyFails}`;
  return `${describeColor(colors.new, figures.new)}; ${describeColor(colors.old, figures.old)}${fails}`;
}
