import { isJsonObject } from '../caddy-json.js';
import type { ProxyHandler } from '../find-proxy-handlers.js';
import { classifyDial, type ServiceAddresses } from '../service-addresses.js';

/** Percent of one service's new requests per target, as Caddy's live config splits them. */
export interface TrafficWeights {
  blue: number;
  green: number;
  /** Upstreams that name the service by its plain Compose name (no color yet). */
  plain: number;
}

/**
 * The weight of each upstream entry: `weighted_round_robin`'s weights by
 * position (Caddy 2.7+), else 1 per entry, which is what round_robin over
 * duplicated entries does on 2.6. Policies that do not spread (`first`) are
 * not modelled: their entries count as equal.
 */
function entryWeights(handler: ProxyHandler): number[] {
  const balancing = handler.handler.load_balancing;
  const policy = isJsonObject(balancing) && isJsonObject(balancing.selection_policy) ? balancing.selection_policy : undefined;
  const weights = policy?.policy === 'weighted_round_robin' && Array.isArray(policy.weights) ? policy.weights : undefined;
  return handler.dials.map((_, index) => {
    if (weights === undefined) return 1;
    const weight = weights[index];
    return typeof weight === 'number' && weight > 0 ? weight : 0;
  });
}

/** Splits a handler's upstreams into blue, green and plain shares, in whole percent. */
export function trafficWeights(handler: ProxyHandler, addresses: ServiceAddresses): TrafficWeights {
  const weights = entryWeights(handler);
  const sums: TrafficWeights = { blue: 0, green: 0, plain: 0 };
  handler.dials.forEach((dial, index) => {
    const owner = classifyDial(dial, addresses);
    const key = owner.kind === 'color' ? owner.color : owner.kind === 'neutral' ? 'plain' : undefined;
    if (key !== undefined) sums[key] += weights[index] ?? 0;
  });
  const total = sums.blue + sums.green + sums.plain;
  if (total === 0) return sums;
  const percent = (n: number): number => Math.round((n * 100) / total);
  return { blue: percent(sums.blue), green: percent(sums.green), plain: percent(sums.plain) };
}
