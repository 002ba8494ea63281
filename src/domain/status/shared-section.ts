import { problem, type Problem } from './problem-rules.js';
import type { StatusFacts } from './status-input.js';
import type { SharedReport } from './status-report-types.js';

/** Shared services: present or not, never managed by a deploy. */
export function sharedSection(facts: StatusFacts): { shared: SharedReport[]; problems: Problem[] } {
  const shared: SharedReport[] = (facts.docker?.shared ?? []).map((s) => ({
    name: s.service,
    present: s.containers.length > 0,
    running: s.containers.some((c) => c.state === 'running'),
    containers: s.containers.map((c) => ({ name: c.name, state: c.state })),
  }));
  const problems = shared
    .filter((s) => !s.running)
    .map((s) =>
      problem(
        'shared-missing',
        `shared service ${s.name} ${s.present ? `is not running (${s.containers.map((c) => `${c.name} ${c.state}`).join(', ')})` : 'has no container'}`,
        `start it (docker compose up -d ${s.name}); the next deploy starts it when it has no container`,
      ),
    );
  return { shared, problems };
}
