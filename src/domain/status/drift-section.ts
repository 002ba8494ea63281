import { hasPreviewRoutes } from '../rewrite-caddy-config.js';
import { driftCause, findDrift, type DriftCause, type DriftEntry, type DriftResult } from '../status-drift.js';
import { problem, type Problem } from './problem-rules.js';
import type { StatusFacts, StatusInput } from './status-input.js';
import type { OperationReport } from './status-report-types.js';
import type { TrafficSection } from './traffic-section.js';
import { liveDials } from '../read-traffic.js';

const CAUSES: Record<DriftCause, { why: string; hint: string }> = {
  'caddy-reloaded': {
    why: "Caddy went back to its own config (a restart or caddy reload drops cutover's switches)",
    hint: 'run cutover reconcile to put the recorded color back (deploy, rollback, cleanup and reset do it first by themselves); docs/caddy-restarts.md shows how to make restarts keep it',
  },
  'outside-change': {
    why: "Caddy's config was changed outside cutover",
    hint: 'run cutover reconcile to point Caddy back at the recorded targets, or move the state file aside to let cutover adopt what Caddy does',
  },
};

/** One drift entry: an error, unless an operation in progress or interrupted explains it. */
function driftProblem(entry: DriftEntry, operation: OperationReport | null, cause: DriftCause): Problem {
  if (operation?.status === 'in-progress') {
    return problem('drift', `${entry.message} (a ${operation.kind} (pid ${operation.pid}) is in progress)`, 'look again when it has finished', { explained: true });
  }
  if (operation?.status === 'interrupted') {
    return problem('drift', `${entry.message} (the interrupted ${operation.kind} above explains it)`, 'cutover reconcile settles it', { explained: true });
  }
  return problem('drift', `${entry.message}: ${CAUSES[cause].why}`, CAUSES[cause].hint);
}

/** What is worth knowing besides drift: targets of another Caddy, lost preview routes, a color live but not recorded. */
function driftWarnings(input: StatusInput, facts: StatusFacts, found: DriftResult, live: TrafficSection['traffic'], operation: OperationReport | null, previews: boolean): Problem[] {
  const problems = found.otherCaddy.map((other) =>
    problem('drift-unchecked', `${other.service}: its targets were recorded for Caddy at ${other.caddyAdmin}, not ${input.caddyAdmin}; not compared`, 'pass the same --caddy-admin as the deploy did'),
  );
  const recordedActive = facts.state?.active ?? null;
  if (recordedActive !== null && found.entries.length === 0 && !previews && operation === null) {
    problems.push(
      problem(
        'previews-missing',
        `Caddy reloaded its own config (a restart or caddy reload): traffic is on ${recordedActive.color} as recorded, but cutover's preview routes (Cutover-Color) are gone`,
        'cutover reconcile puts them back (the next switch does too); until then the old color drains without visible in-flight counts on Caddy before 2.11.2',
      ),
    );
  }
  if (recordedActive === null && live.kind === 'color') {
    problems.push(problem('state-missing', `Caddy sends every service to ${live.color}, but no active color is recorded in ${input.stateFile}`, 'the next deploy adopts what Caddy does'));
  }
  return problems;
}

/** Drift between Caddy and the state file; judged only when both could be read. */
export function driftSection(input: StatusInput, facts: StatusFacts, traffic: TrafficSection, operation: OperationReport | null): { drift: DriftEntry[]; problems: Problem[] } {
  const live = traffic.traffic;
  const recordedActive = facts.state?.active ?? null;
  if (live.kind === 'unknown' || !facts.stateRead) {
    const unchecked = live.kind === 'unknown' && recordedActive !== null ? [problem('drift-unchecked', `drift was not checked: ${live.reason}`)] : [];
    return { drift: [], problems: unchecked };
  }
  const found = findDrift({
    active: recordedActive,
    canaryRecorded: facts.state?.operation?.canary !== undefined,
    live,
    services: traffic.services.map((t) => ({ service: t.service, dials: liveDials(t) })),
    targets: facts.state?.targets ?? {},
    caddyAdmin: input.caddyAdmin,
  });
  const previews = facts.caddy === undefined || hasPreviewRoutes(facts.caddy.config);
  const cause = driftCause(previews);
  const problems = [...found.entries.map((entry) => driftProblem(entry, operation, cause)), ...driftWarnings(input, facts, found, live, operation, previews)];
  return { drift: found.entries, problems };
}
