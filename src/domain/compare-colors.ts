import type { Color } from '../config/model.js';
import type { TrafficByColor, TrafficFigures } from './aggregate-traffic.js';
import { compareErrorRates, type ErrorRateComparison, type TrafficVerdict } from './compare-error-rates.js';
import { compareP99Latency, type P99Comparison } from './compare-p99-latency.js';
import type { RealTrafficThresholds } from './real-traffic-thresholds.js';

/** What was compared: all the traffic, one service, or one route of one service. */
export type TrafficScope = { kind: 'all' } | { kind: 'service'; service: string } | { kind: 'route'; service: string; route: string };

export interface ScopeComparison {
  scope: TrafficScope;
  errors: ErrorRateComparison;
  latency: P99Comparison;
}

export interface ColorsComparison {
  /** `worse` if any scope is worse; else `ok` if all the traffic is judged ok; else `inconclusive`. */
  verdict: TrafficVerdict;
  /** All the traffic first, then each service, then each route that had the minimum requests in both colors. */
  scopes: ScopeComparison[];
}

/**
 * The new color against the old one on the same window: over all the traffic,
 * per service, and per route with at least `minRequests` in both colors.
 *
 * Testing many routes multiplies the chances of a false alarm, so each
 * service and route test is held to alpha divided by the number of them
 * (Bonferroni: simple, and it needs no assumption about how routes relate).
 * The test over all the traffic keeps the full alpha.
 */
export function compareColors(traffic: TrafficByColor, newColor: Color, oldColor: Color, thresholds: RealTrafficThresholds): ColorsComparison {
  const next = traffic.colors[newColor];
  const old = traffic.colors[oldColor];
  const parts: Array<{ scope: TrafficScope; next: TrafficFigures; old: TrafficFigures }> = [];
  for (const service of Object.keys(next.services).sort()) {
    const nextService = next.services[service];
    const oldService = old.services[service];
    if (nextService === undefined || oldService === undefined) continue;
    parts.push({ scope: { kind: 'service', service }, next: nextService.total, old: oldService.total });
    for (const route of Object.keys(nextService.routes).sort()) {
      const nextRoute = nextService.routes[route];
      const oldRoute = oldService.routes[route];
      if (nextRoute === undefined || oldRoute === undefined) continue;
      if (nextRoute.requests < thresholds.minRequests || oldRoute.requests < thresholds.minRequests) continue;
      parts.push({ scope: { kind: 'route', service, route }, next: nextRoute, old: oldRoute });
    }
  }
  const partAlpha = thresholds.alpha / Math.max(1, parts.length);
  const compare = (scope: TrafficScope, a: TrafficFigures, b: TrafficFigures, alpha: number): ScopeComparison => ({
    scope,
    errors: compareErrorRates(a, b, thresholds, alpha),
    latency: compareP99Latency(a.durationsMs, b.durationsMs, thresholds, alpha),
  });
  const scopes = [
    compare({ kind: 'all' }, next.total, old.total, thresholds.alpha),
    ...parts.map((part) => compare(part.scope, part.next, part.old, partAlpha)),
  ];
  const all = scopes[0] as ScopeComparison;
  const verdict: TrafficVerdict = scopes.some((s) => s.errors.verdict === 'worse' || s.latency.verdict === 'worse')
    ? 'worse'
    : all.errors.verdict === 'ok'
      ? 'ok'
      : 'inconclusive';
  return { verdict, scopes };
}
