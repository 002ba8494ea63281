import type { Color } from '../config/model.js';
import { nearestRank } from './latency-stats.js';
import type { Roundtrip } from './parse-roundtrip-line.js';
import { routePattern } from './route-pattern.js';

/** Which service and color a dial reaches: what the state file and the live config say. */
export interface DialOwner {
  service: string;
  color: Color;
}

/** A window of time, [fromMs, toMs): the round trips logged in it are counted. */
export interface TrafficWindow {
  fromMs: number;
  toMs: number;
}

/** Real traffic of one color, one service or one route, over a window. */
export interface TrafficFigures {
  /** Round trips, failed ones included, canceled ones not (the client left). */
  requests: number;
  /** 5xx answers and failed round trips. 4xx are answers, not errors. */
  errors: number;
  /** Of `errors`: round trips with no answer (refused dial, reset, timeout). */
  failedRoundtrips: number;
  /** Round trips the client canceled: counted apart, neither a request nor an error. */
  canceled: number;
  /** Durations of the answered round trips in ms, ascending: what the latency test compares. */
  durationsMs: number[];
  /** Nearest-rank percentiles of `durationsMs`; undefined with no answered round trip. */
  p50Ms: number | undefined;
  p90Ms: number | undefined;
  p99Ms: number | undefined;
}

export interface ServiceTraffic {
  total: TrafficFigures;
  /** By route (`GET /users/:id`); routes past `maxRoutes` share OTHER_ROUTES. */
  routes: Record<string, TrafficFigures>;
}

export interface ColorTraffic {
  total: TrafficFigures;
  services: Record<string, ServiceTraffic>;
}

export interface TrafficByColor {
  window: TrafficWindow;
  colors: Record<Color, ColorTraffic>;
  /** Round trips in the window to a dial of no known color (another site, an old replica): left out. */
  unknownDials: number;
}

export interface AggregateOptions {
  /** Distinct routes kept per service and color before the rest share OTHER_ROUTES. Default 100. */
  maxRoutes?: number;
  /**
   * Round trips that ended before this (epoch ms) count as requests and errors
   * but give no latency sample: the new color's warm-up (a fresh container's
   * first requests are slower). Default: every answered round trip is a sample.
   */
  latencyFromMs?: number;
}

export const DEFAULT_MAX_ROUTES = 100;
export const OTHER_ROUTES = '(other routes)';

/**
 * Counts the round trips logged inside `window` per color, per service and per
 * route. `owners` maps each dial to its service and color; round trips to any
 * other dial are only counted in `unknownDials`.
 */
export function aggregateTraffic(
  roundtrips: Iterable<Roundtrip>,
  owners: ReadonlyMap<string, DialOwner>,
  window: TrafficWindow,
  options: AggregateOptions = {},
): TrafficByColor {
  const maxRoutes = options.maxRoutes ?? DEFAULT_MAX_ROUTES;
  const colors: Record<Color, ColorTraffic> = { blue: emptyColor(), green: emptyColor() };
  let unknownDials = 0;
  for (const roundtrip of roundtrips) {
    if (roundtrip.atMs < window.fromMs || roundtrip.atMs >= window.toMs) continue;
    const owner = owners.get(roundtrip.dial);
    if (owner === undefined) {
      unknownDials++;
      continue;
    }
    const color = colors[owner.color];
    const service = color.services[owner.service] ?? { total: emptyFigures(), routes: {} };
    color.services[owner.service] = service;
    const route = routePattern(roundtrip.method, roundtrip.path);
    const key = route in service.routes || Object.keys(service.routes).length < maxRoutes ? route : OTHER_ROUTES;
    const routeFigures = service.routes[key] ?? emptyFigures();
    service.routes[key] = routeFigures;
    const timed = options.latencyFromMs === undefined || roundtrip.atMs >= options.latencyFromMs;
    for (const figures of [color.total, service.total, routeFigures]) count(figures, roundtrip, timed);
  }
  for (const color of Object.values(colors)) {
    finish(color.total);
    for (const service of Object.values(color.services)) {
      finish(service.total);
      for (const figures of Object.values(service.routes)) finish(figures);
    }
  }
  return { window, colors, unknownDials };
}

function count(figures: TrafficFigures, roundtrip: Roundtrip, timed: boolean): void {
  if (roundtrip.canceled) {
    figures.canceled++;
    return;
  }
  figures.requests++;
  if (roundtrip.failed) {
    figures.errors++;
    figures.failedRoundtrips++;
    return;
  }
  if (roundtrip.status !== undefined && roundtrip.status >= 500) figures.errors++;
  if (timed) figures.durationsMs.push(roundtrip.durationMs);
}

function finish(figures: TrafficFigures): void {
  figures.durationsMs.sort((a, b) => a - b);
  figures.p50Ms = nearestRank(figures.durationsMs, 50);
  figures.p90Ms = nearestRank(figures.durationsMs, 90);
  figures.p99Ms = nearestRank(figures.durationsMs, 99);
}

function emptyColor(): ColorTraffic {
  return { total: emptyFigures(), services: {} };
}

function emptyFigures(): TrafficFigures {
  return { requests: 0, errors: 0, failedRoundtrips: 0, canceled: 0, durationsMs: [], p50Ms: undefined, p90Ms: undefined, p99Ms: undefined };
}
