import { hasPreviewRoutes } from '../rewrite-caddy-config.js';
import { readTraffic, type LiveTraffic } from '../read-traffic.js';
import { trafficDrifts } from '../status-drift.js';
import { problem, problemFromFailure, type Problem } from './problem-rules.js';
import type { StatusFacts, StatusInput } from './status-input.js';
import type { InstanceReport, TrafficReport } from './status-report-types.js';

function describe(traffic: TrafficReport): string {
  if (traffic.kind === 'color') return `on ${traffic.color}`;
  if (traffic.kind === 'plain') return 'on the plain Compose names';
  return traffic.kind === 'mixed' ? `mixed (${traffic.detail})` : `unknown (${traffic.reason})`;
}

const same = (a: TrafficReport, b: TrafficReport): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Each Caddy instance status read (docs/multi-instance.md): reachable or not,
 * where it sends the colored services, its preview routes, and whether it
 * drifts from the recorded active color. The first instance is the one the
 * rest of the report reads; the others add a problem each when unreachable or
 * drifting, and the top-level `traffic` becomes `mixed` when the instances
 * that answered disagree (the top-level fields mean "all instances agree").
 */
export function instancesSection(input: StatusInput, facts: StatusFacts, first: TrafficReport): { instances: InstanceReport[]; traffic: TrafficReport; unreadable: Problem[]; problems: Problem[] } {
  const observed = input.instances ?? [{ address: input.caddyAdmin, config: input.caddy.ok ? { ok: true as const, value: input.caddy.value.config } : input.caddy }];
  const active = facts.state?.active ?? null;
  const canaryRecorded = facts.state?.operation?.canary !== undefined;
  const problems: Problem[] = [];
  const unreadable: Problem[] = [];
  const instances = observed.map((each, index): InstanceReport => {
    if (!each.config.ok) {
      // The first instance's failure is already the report's own (read problems).
      if (index > 0) unreadable.push(problemFromFailure(each.config.failure.unreachable ? 'caddy-unreachable' : 'caddy-error', each.config.failure));
      return { address: each.address, reachable: false, traffic: { kind: 'unknown', reason: each.config.failure.message }, previewRoutes: null, drift: null };
    }
    let traffic: TrafficReport = first;
    if (index > 0) {
      const read = facts.project === undefined ? undefined : readTraffic(each.config.value, facts.project.colored, facts.docker?.instances ?? []);
      traffic = read === undefined ? { kind: 'unknown', reason: 'the project configuration could not be loaded' } : read.ok ? read.view.live : { kind: 'unknown', reason: read.problems.join('; ') };
    }
    const previewRoutes = hasPreviewRoutes(each.config.value);
    const drift = active === null || traffic.kind === 'unknown' ? null : trafficDrifts(active, traffic as LiveTraffic, canaryRecorded);
    if (index > 0 && drift === true) {
      problems.push(
        problem('drift', `Caddy at ${each.address} sends traffic ${describe(traffic)}, but ${active?.color} (${active?.version}) is recorded as active`, `cutover reconcile points that instance back at ${active?.color} (the others are left as they are)`, {
          explained: facts.state?.operation !== null && facts.state?.operation !== undefined,
        }),
      );
    } else if (index > 0 && active !== null && !previewRoutes && facts.state?.operation == null) {
      problems.push(problem('previews-missing', `Caddy at ${each.address} reloaded its own config: cutover's preview routes are gone there`, 'cutover reconcile puts them back on that instance'));
    }
    return { address: each.address, reachable: true, traffic, previewRoutes, drift };
  });
  const recorded = facts.state?.caddyAdmins;
  const given = instances.map((i) => i.address);
  if (recorded !== undefined && JSON.stringify([...recorded].sort()) !== JSON.stringify([...given].sort())) {
    problems.push(
      problem('drift-unchecked', `the last operation switched Caddy at ${recorded.join(', ')} as one; this status reads ${given.join(', ')}`, 'pass the same --caddy-admin list (or CADDY_ADMIN) as the deploy did: every instance is switched at every step'),
    );
  }
  const answered = instances.filter((i) => i.reachable && i.traffic.kind !== 'unknown');
  const agree = answered.every((i) => same(i.traffic, answered[0]?.traffic ?? first));
  const traffic: TrafficReport = agree || first.kind === 'unknown' ? first : { kind: 'mixed', detail: answered.map((i) => `Caddy at ${i.address} ${describe(i.traffic)}`).join('; ') };
  return { instances, traffic, unreadable, problems };
}
