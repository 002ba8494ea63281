import type { Color } from '../config/model.js';
import type { JsonObject } from './caddy-json.js';

/**
 * How a Caddy splits traffic by weight:
 * - `native`: `weighted_round_robin` (Caddy 2.7+), one entry per dial with a weight each;
 * - `duplicates`: `round_robin` over a list in which each dial appears as often as its
 *   weight asks (Caddy 2.6, which lacks weighted_round_robin): exact per cycle.
 */
export type WeightStyle = 'native' | 'duplicates';

/** What this Caddy can do for a canary, learned without ever loading a config that could fail. */
export interface CaddyFeatures {
  weights: WeightStyle;
  /** `cookie` selection with a `fallback` policy (2.7+); without it the first pick is random. */
  cookieFallback: boolean;
}

/** The cookie that keeps a client on the color it first got (`--sticky`). */
export const STICKY_COOKIE = 'cutover_color';

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export interface WeightedUpstreams {
  dials: string[];
  loadBalancing: JsonObject;
}

/**
 * The upstream list and load balancing that send `percent[color]` of the
 * requests to each color. Each color's share is spread evenly over its dials
 * (replicas in host mode). Pure; the weights are reduced to their smallest
 * integers so a duplicates list stays short (10/90 → 1 green entry, 9 blue).
 */
export function weightedUpstreams(
  dialsByColor: Record<Color, string[]>,
  percent: Record<Color, number>,
  features: CaddyFeatures,
  sticky: boolean,
): WeightedUpstreams {
  const blue = dialsByColor.blue;
  const green = dialsByColor.green;
  if (blue.length === 0 || green.length === 0) throw new Error('bug: a weighted split needs dials of both colors');
  // Per-dial weights so that each color's total is proportional to its percent.
  let perBlue = percent.blue * green.length;
  let perGreen = percent.green * blue.length;
  const divisor = gcd(perBlue, perGreen);
  perBlue /= divisor;
  perGreen /= divisor;
  let policy: JsonObject;
  let dials: string[];
  if (features.weights === 'native') {
    dials = [...blue, ...green];
    policy = { policy: 'weighted_round_robin', weights: [...blue.map(() => perBlue), ...green.map(() => perGreen)] };
  } else {
    dials = [...blue.flatMap((d) => Array<string>(perBlue).fill(d)), ...green.flatMap((d) => Array<string>(perGreen).fill(d))];
    policy = { policy: 'round_robin' };
  }
  if (!sticky) return { dials, loadBalancing: { selection_policy: policy } };
  const cookie: JsonObject = { policy: 'cookie', name: STICKY_COOKIE };
  // Without fallback (2.6) Caddy picks a random entry for a client with no cookie: with the
  // duplicated list that is still proportional on average, not exact per cycle.
  if (features.cookieFallback) cookie.fallback = policy;
  return { dials, loadBalancing: { selection_policy: cookie } };
}
