import { problem, type Problem } from './problem-rules.js';
import { readinessOf } from './readiness-of.js';
import type { StatusFacts } from './status-input.js';
import type { StandbyReport } from './status-report-types.js';

/** The standby: what rollback would switch back to, and whether it is ready for that. */
export function standbySection(facts: StatusFacts): { standby: StandbyReport | null; problems: Problem[] } {
  const recorded = facts.state?.standby ?? null;
  if (recorded === null) return { standby: null, problems: [] };
  const { color, version } = recorded;
  const images = recorded.images ?? null;
  const { docker, project } = facts;
  if (docker === undefined || project === undefined) return { standby: { color, version, running: null, healthy: null, detail: [], images }, problems: [] };
  const per = project.colored.map((s) => readinessOf(s.name, color, docker.containers, s.byColor[color].replicas, version));
  const detail = per.flatMap((r) => (r.why === undefined ? [] : [r.why]));
  const standby = { color, version, running: per.every((r) => r.running), healthy: per.every((r) => r.healthy), detail, images };
  if (detail.length === 0) return { standby, problems: [] };
  return { standby, problems: [problem('standby-not-ready', `standby ${color} (${version}) is not ready: ${detail.join('; ')}`, `cutover rollback would have to start ${version} first`)] };
}
