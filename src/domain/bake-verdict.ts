import type { Color } from '../config/model.js';
import type { ColorTraffic, TrafficByColor, TrafficFigures } from './aggregate-traffic.js';
import { compareColors, type ScopeComparison, type TrafficScope } from './compare-colors.js';
import type { TrafficVerdict } from './compare-error-rates.js';
import { formatPercent } from './describe-canary-figures.js';
import { formatDuration } from './format-duration.js';
import type { RealTrafficThresholds } from './real-traffic-thresholds.js';

/** What the bake compares the new color with: figures taken before it was judged, and how to name them. */
export interface BakeBaseline {
  /** The old color's real traffic in the canary's last window, or the new color's own first window after a plain switch. */
  traffic: ColorTraffic;
  /** `blue before the switch`, `green in its first 10 s after the switch`. */
  name: string;
}

export interface BakeVerdict {
  verdict: TrafficVerdict;
  reason: string | undefined;
  summary: string;
  figures: Record<string, number>;
}

function scopeName(scope: TrafficScope): string {
  if (scope.kind === 'all') return 'all requests';
  if (scope.kind === 'service') return `service ${scope.service}`;
  return `${scope.route} of ${scope.service}`;
}

function figuresOf(color: ColorTraffic, scope: TrafficScope): TrafficFigures | undefined {
  if (scope.kind === 'all') return color.total;
  const service = color.services[scope.service];
  return scope.kind === 'service' ? service?.total : service?.routes[scope.route];
}

function pText(p: number | undefined): string {
  return p === undefined ? '' : `; p = ${p < 0.0001 ? p.toExponential(1) : p.toFixed(4)}`;
}

function reasonOf(worse: ScopeComparison, now: ColorTraffic, baseline: BakeBaseline, color: Color, windowMs: number): string {
  const next = figuresOf(now, worse.scope);
  const before = figuresOf(baseline.traffic, worse.scope);
  const where = scopeName(worse.scope);
  if (worse.errors.verdict === 'worse') {
    return (
      `${color} error rate ${formatPercent(worse.errors.newRate ?? 0)} (${next?.errors ?? 0} of ${next?.requests ?? 0} real requests in the last ${formatDuration(windowMs)}, ${where}) ` +
      `is significantly above ${baseline.name}: ${formatPercent(worse.errors.oldRate ?? 0)} (${before?.errors ?? 0} of ${before?.requests ?? 0}${pText(worse.errors.pValue)})`
    );
  }
  return `${color} p99 latency ${formatDuration(worse.latency.newP99Ms ?? 0)} on real requests (${where}) is significantly above ${baseline.name}: ${formatDuration(worse.latency.oldP99Ms ?? 0)}${pText(worse.latency.pValue)}`;
}

/**
 * The bake's look: the new color's real traffic in the last window against a
 * baseline taken earlier, with the canary's tests (compareColors: one-sided
 * tests per service and route, Bonferroni). The baseline takes the "old" side
 * of the comparison, whatever color it was measured on. Pure.
 */
export function judgeBake(window: TrafficByColor, color: Color, baseline: BakeBaseline, thresholds: RealTrafficThresholds): BakeVerdict {
  const other: Color = color === 'blue' ? 'green' : 'blue';
  const now = window.colors[color];
  const paired: TrafficByColor = { window: window.window, colors: { [color]: now, [other]: baseline.traffic } as Record<Color, ColorTraffic>, unknownDials: window.unknownDials };
  const comparison = compareColors(paired, color, other, thresholds);
  const worse = comparison.scopes.find((s) => s.errors.verdict === 'worse') ?? comparison.scopes.find((s) => s.latency.verdict === 'worse');
  const windowMs = Math.round(window.window.toMs - window.window.fromMs);
  const rate = (f: TrafficFigures): number => (f.requests > 0 ? Math.round((f.errors / f.requests) * 10_000) / 10_000 : 0);
  const figures: Record<string, number> = {
    'bake.new.requests': now.total.requests,
    'bake.new.errors': now.total.errors,
    'bake.new.errorRate': rate(now.total),
    'bake.baseline.requests': baseline.traffic.total.requests,
    'bake.baseline.errors': baseline.traffic.total.errors,
    'bake.baseline.errorRate': rate(baseline.traffic.total),
    'bake.windowMs': windowMs,
  };
  if (now.total.p99Ms !== undefined) figures['bake.new.p99Ms'] = Math.round(now.total.p99Ms * 10) / 10;
  if (baseline.traffic.total.p99Ms !== undefined) figures['bake.baseline.p99Ms'] = Math.round(baseline.traffic.total.p99Ms * 10) / 10;
  const p99 = (f: TrafficFigures): string => (f.p99Ms === undefined ? '' : `, p99 ${formatDuration(f.p99Ms)}`);
  const summary =
    `bake over ${formatDuration(windowMs)}: ${comparison.verdict}; ${color} ${now.total.errors}/${now.total.requests} errors${p99(now.total)}; ` +
    `${baseline.name} ${baseline.traffic.total.errors}/${baseline.traffic.total.requests}${p99(baseline.traffic.total)}`;
  return { verdict: comparison.verdict, reason: worse === undefined ? undefined : reasonOf(worse, now, baseline, color, windowMs), summary, figures };
}
