import type { ObservedCaddyInstance, ObservedUpstream } from './status-input.js';

/**
 * In-flight rows over several Caddy instances: one row per dial address with
 * the requests and failures of every instance that could be read added up.
 * Each instance keeps its own counts, so with several instances the first
 * one's alone would hide the requests the others are still serving.
 */
export function sumUpstreamCounts(instances: readonly ObservedCaddyInstance[]): ObservedUpstream[] {
  const byAddress = new Map<string, ObservedUpstream>();
  for (const instance of instances) {
    if (instance.upstreams?.ok !== true) continue;
    for (const row of instance.upstreams.value) {
      const sum = byAddress.get(row.address) ?? { address: row.address, numRequests: 0, fails: 0 };
      byAddress.set(row.address, { address: row.address, numRequests: sum.numRequests + row.numRequests, fails: sum.fails + row.fails });
    }
  }
  return [...byAddress.values()];
}
