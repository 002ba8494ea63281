import { hasTrafficLog } from '../traffic-log-config.js';
import { problem, problemFromFailure, type Problem } from './problem-rules.js';
import type { StatusFacts, StatusInput } from './status-input.js';

/** What could not be read at all, most fundamental first (it decides the exit code), and reads that disagree on the project. */
export function readProblems(input: StatusInput, facts: StatusFacts): Problem[] {
  const problems: Problem[] = [];
  if (!input.caddy.ok) problems.push(problemFromFailure(input.caddy.failure.unreachable ? 'caddy-unreachable' : 'caddy-error', input.caddy.failure));
  if (!input.docker.ok) problems.push(problemFromFailure(input.docker.failure.unreachable ? 'docker-unreachable' : 'docker-error', input.docker.failure));
  if (!input.project.ok) problems.push(problemFromFailure('config-invalid', input.project.failure));
  if (!input.state.ok) problems.push(problemFromFailure('state-invalid', input.state.failure));
  const { caddy, state, project } = facts;
  if (caddy !== undefined && !caddy.upstreams.ok) {
    problems.push(problem('caddy-upstreams', `in-flight counts are unknown: ${caddy.upstreams.failure.message}`, caddy.upstreams.failure.hint));
  }
  if (state !== null && project !== undefined && state.project !== project.projectName) {
    problems.push(
      problem('state-project', `${input.stateFile} belongs to project "${state.project}", but this is project "${project.projectName}"`, 'was the state file copied from another project? move it aside if so'),
    );
  }
  // Only a canary in progress should have it; a leftover of one that died makes Caddy log every request at DEBUG.
  if (caddy !== undefined && hasTrafficLog(caddy.config) && (state === null || state.operation === null)) {
    problems.push(
      problem(
        'traffic-log-left',
        "Caddy still logs every proxied request at DEBUG for cutover's real-traffic analysis (the log cutover-traffic), left by a canary that did not finish",
        'the next cutover command that changes Caddy removes it, or run cutover reconcile now',
      ),
    );
  }
  return problems;
}
