import type { Color } from '../config/model.js';
import type { TrafficByColor, TrafficFigures } from './aggregate-traffic.js';
import type { ColorsComparison, ScopeComparison, TrafficScope } from './compare-colors.js';
import type { TrafficVerdict } from './compare-error-rates.js';
import { formatPercent } from './describe-canary-figures.js';
import { formatDuration } from './format-duration.js';

/** One look at the real traffic: the verdict, why, and the figures for the log, the state file and `status`. */
export interface RealTrafficVerdict {
  verdict: TrafficVerdict;
  /** Why the new color is worse (only for `worse`): the first worse scope, errors before latency. */
  reason: string | undefined;
  /** A line for the log: both colors' requests, errors and p99, and the routes that count. */
  summary: string;
  /**
   * Flat named figures (the state file's `analysis.figures` holds numbers):
   * `real.new.requests`, `real.old.errorRate`, `real.new.p99Ms`, ... and per
   * route `real.route.<service> <METHOD /path>.new.errors`. See docs/status-json.md.
   */
  figures: Record<string, number>;
  /** The window's figures themselves (a bake after the canary takes the old color's as its baseline). Not for the log: it holds every latency. */
  traffic?: TrafficByColor | undefined;
}

/** Routes shown per look: the worse ones, then the busiest of the new color. Bounded so the state file stays small. */
export const MAX_ROUTES_SHOWN = 5;

function scopeName(scope: TrafficScope): string {
  if (scope.kind === 'all') return 'all requests';
  if (scope.kind === 'service') return `service ${scope.service}`;
  return `${scope.route} of ${scope.service}`;
}

function describeP(p: number | undefined): string {
  return p === undefined ? '' : `; p = ${p < 0.0001 ? p.toExponential(1) : p.toFixed(4)}`;
}

function figuresOf(traffic: TrafficByColor, color: Color, scope: TrafficScope): TrafficFigures | undefined {
  const of = traffic.colors[color];
  if (scope.kind === 'all') return of.total;
  const service = of.services[scope.service];
  return scope.kind === 'service' ? service?.total : service?.routes[scope.route];
}

function worseReason(worse: ScopeComparison, traffic: TrafficByColor, colors: { old: Color; new: Color }): string {
  const next = figuresOf(traffic, colors.new, worse.scope);
  const old = figuresOf(traffic, colors.old, worse.scope);
  const where = scopeName(worse.scope);
  if (worse.errors.verdict === 'worse') {
    return (
      `${colors.new} error rate ${formatPercent(worse.errors.newRate ?? 0)} (${next?.errors ?? 0} of ${next?.requests ?? 0} real requests, ${where}) ` +
      `is significantly above ${colors.old}'s ${formatPercent(worse.errors.oldRate ?? 0)} (${old?.errors ?? 0} of ${old?.requests ?? 0}${describeP(worse.errors.pValue)})`
    );
  }
  return (
    `${colors.new} p99 latency ${formatDuration(worse.latency.newP99Ms ?? 0)} on real requests (${where}) ` +
    `is significantly above ${colors.old}'s ${formatDuration(worse.latency.oldP99Ms ?? 0)}${describeP(worse.latency.pValue)}`
  );
}

function routeKey(service: string, route: string): string {
  return `real.route.${service} ${route}`;
}

function put(figures: Record<string, number>, prefix: string, f: TrafficFigures | undefined): void {
  figures[`${prefix}.requests`] = f?.requests ?? 0;
  figures[`${prefix}.errors`] = f?.errors ?? 0;
}

/**
 * Reads a comparison of the two colors over one window into a verdict, a
 * reason, a log line and flat figures. Pure.
 */
export function realTrafficVerdict(traffic: TrafficByColor, comparison: ColorsComparison, colors: { old: Color; new: Color }, extra: { unparseable: number }): RealTrafficVerdict {
  const worse = comparison.scopes.find((s) => s.errors.verdict === 'worse') ?? comparison.scopes.find((s) => s.latency.verdict === 'worse');
  const figures: Record<string, number> = {};
  for (const [role, color] of [['new', colors.new], ['old', colors.old]] as const) {
    const total = traffic.colors[color].total;
    put(figures, `real.${role}`, total);
    figures[`real.${role}.errorRate`] = total.requests > 0 ? Math.round((total.errors / total.requests) * 10_000) / 10_000 : 0;
    if (total.p50Ms !== undefined) figures[`real.${role}.p50Ms`] = Math.round(total.p50Ms * 10) / 10;
    if (total.p99Ms !== undefined) figures[`real.${role}.p99Ms`] = Math.round(total.p99Ms * 10) / 10;
  }
  const all = comparison.scopes[0];
  if (all?.errors.pValue !== undefined) figures['real.pValue'] = Number(all.errors.pValue.toPrecision(3));
  figures['real.windowMs'] = Math.round(traffic.window.toMs - traffic.window.fromMs);
  if (extra.unparseable > 0) figures['real.unparseable'] = extra.unparseable;

  // Routes: worse first, then the new color's busiest.
  const shown: Array<{ service: string; route: string }> = [];
  for (const scope of comparison.scopes) {
    if (scope.scope.kind === 'route' && (scope.errors.verdict === 'worse' || scope.latency.verdict === 'worse')) shown.push({ service: scope.scope.service, route: scope.scope.route });
  }
  const busiest = Object.entries(traffic.colors[colors.new].services)
    .flatMap(([service, s]) => Object.entries(s.routes).map(([route, f]) => ({ service, route, requests: f.requests })))
    .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
  for (const r of busiest) {
    if (shown.length >= MAX_ROUTES_SHOWN) break;
    if (!shown.some((s) => s.service === r.service && s.route === r.route)) shown.push(r);
  }
  const routeTexts: string[] = [];
  for (const { service, route } of shown.slice(0, MAX_ROUTES_SHOWN)) {
    const next = traffic.colors[colors.new].services[service]?.routes[route];
    const old = traffic.colors[colors.old].services[service]?.routes[route];
    put(figures, `${routeKey(service, route)}.new`, next);
    put(figures, `${routeKey(service, route)}.old`, old);
    routeTexts.push(`${service} ${route}: ${next?.errors ?? 0}/${next?.requests ?? 0} vs ${old?.errors ?? 0}/${old?.requests ?? 0}`);
  }

  const color = (c: Color): string => {
    const f = traffic.colors[c].total;
    const p99 = f.p99Ms === undefined ? '' : `, p99 ${formatDuration(f.p99Ms)}`;
    return `${c} ${f.errors}/${f.requests} errors${p99}`;
  };
  const summary =
    `real traffic over ${formatDuration(figures['real.windowMs'] ?? 0)}: ${comparison.verdict}; ${color(colors.new)}; ${color(colors.old)}` +
    (routeTexts.length > 0 ? `; routes (errors/requests new vs old): ${routeTexts.join('; ')}` : '') +
    (extra.unparseable > 0 ? `; ${extra.unparseable} unparseable line(s)` : '');
  return {
    verdict: comparison.verdict,
    reason: worse === undefined ? undefined : worseReason(worse, traffic, colors),
    summary,
    figures,
  };
}
