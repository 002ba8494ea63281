import { PREVIEW_HEADER } from '../caddy-json.js';
import { driftSection } from './drift-section.js';
import { historySection } from './history-section.js';
import { instancesSection } from './instances-section.js';
import { operationSection } from './operation-section.js';
import { exitCodeOf, orderProblems } from './problem-rules.js';
import { readProblems } from './read-problems.js';
import { servicesSection, servingProblems } from './services-section.js';
import { sharedSection } from './shared-section.js';
import { standbySection } from './standby-section.js';
import { factsOf, type StatusInput } from './status-input.js';
import { STATUS_SCHEMA_VERSION, type StatusReport } from './status-report-types.js';
import { previewColors, trafficSection } from './traffic-section.js';
import { upstreamsSection } from './upstreams-section.js';

/**
 * Builds the status report from what was observed. Pure: no I/O, the time
 * comes in `input`. Every part that could be read is shown even when others
 * could not; each thing that could not be read, or that is wrong, is one
 * entry in `problems`, errors first in the order found (the most fundamental
 * decides the exit code), then warnings.
 */
export function buildStatusReport(input: StatusInput): StatusReport {
  const facts = factsOf(input);
  const traffic = trafficSection(input, facts);
  const standby = standbySection(facts);
  const shared = sharedSection(facts);
  const { operation, lock, problems: operationProblems } = operationSection(facts.state, input.lock);
  const drift = driftSection(input, facts, traffic, operation);
  const instances = instancesSection(input, facts, traffic.traffic);
  const problems = orderProblems([
    ...readProblems(input, facts),
    ...instances.unreadable,
    ...traffic.problems,
    ...servingProblems(facts, traffic),
    ...standby.problems,
    ...shared.problems,
    ...operationProblems,
    ...drift.problems,
    ...instances.problems,
  ]);
  const exitCode = exitCodeOf(problems);
  const recordedActive = facts.state?.active ?? null;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    observedAt: input.observedAt.toISOString(),
    exitCode,
    ok: exitCode === 0,
    project: {
      name: facts.project?.projectName ?? facts.state?.project ?? null,
      dir: input.projectDir,
      stateFile: input.stateFile,
      caddyAdmin: input.caddyAdmin,
      dockerEndpoint: input.dockerEndpoint,
    },
    active: recordedActive === null ? null : { ...recordedActive },
    traffic: instances.traffic,
    instances: instances.instances,
    standby: standby.standby,
    services: servicesSection(facts, traffic),
    shared: shared.shared,
    upstreams: upstreamsSection(facts, traffic),
    preview: { header: PREVIEW_HEADER, colors: facts.caddy === undefined ? [] : previewColors(facts.caddy.config) },
    operation,
    lock,
    history: historySection(facts.state),
    drift: drift.drift,
    problems,
  };
}
