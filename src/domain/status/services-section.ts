import type { Color } from '../../config/model.js';
import { liveDials, type ServiceTraffic } from '../read-traffic.js';
import { isHealthy } from '../is-healthy.js';
import { parseImageReference } from '../image-reference.js';
import { classifyDial } from '../service-addresses.js';
import type { ImageIdentity } from '../../state/state-schema.js';
import { problem, type Problem } from './problem-rules.js';
import { readinessOf } from './readiness-of.js';
import type { ObservedContainer, StatusFacts } from './status-input.js';
import type { ContainerRow, DialRow, HandlerReport, ServiceReport } from './status-report-types.js';
import { colorsServing, type TrafficSection } from './traffic-section.js';
import { trafficWeights, type TrafficWeights } from './traffic-weights.js';

/** A container's image identity; null for one whose image ID is unknown. */
function imageOf(c: ObservedContainer): ImageIdentity | null {
  if (c.imageId === undefined || c.imageId === '') return null;
  const ref = c.imageRef ?? c.image ?? c.imageId;
  // A container created from `repo@sha256:...` names its digest even without cutover's label.
  return { ref, id: c.imageId, digest: c.imageDigest ?? parseImageReference(ref)?.digest ?? null };
}

function containerRow(c: ObservedContainer, colorsServed: readonly Color[] | undefined, plainServed: boolean): ContainerRow {
  return {
    name: c.name,
    color: c.color ?? null,
    version: c.version,
    state: c.state,
    health: c.health,
    ready: isHealthy(c),
    image: imageOf(c),
    // A plain container (started by reset) serves when Caddy uses the plain services.
    serving: colorsServed === undefined ? null : c.color === undefined ? plainServed : colorsServed.includes(c.color),
  };
}

function dialRows(dials: readonly string[], entry: ServiceTraffic, facts: StatusFacts): DialRow[] {
  const countsByAddress = new Map((facts.upstreamCounts ?? []).map((row) => [row.address, row]));
  return dials.map((dial) => {
    const owner = classifyDial(dial, entry.addresses);
    return {
      dial,
      color: owner.kind === 'color' ? owner.color : owner.kind === 'neutral' ? 'plain' : null,
      inFlight: countsByAddress.get(dial)?.numRequests ?? null,
    };
  });
}

function handlerReports(entry: ServiceTraffic | undefined, facts: StatusFacts): HandlerReport[] {
  return (entry?.handlers ?? []).map((h) => ({
    server: h.handler.server,
    id: h.handler.id ?? null,
    pointer: `/${h.handler.pointer.join('/')}`,
    port: h.port,
    dials: dialRows(h.handler.dials, entry as ServiceTraffic, facts),
    weights: trafficWeights(h.handler, (entry as ServiceTraffic).addresses),
  }));
}

/** One figure per target for the whole service: the handlers' own when they agree, else their mean. */
function serviceWeights(handlers: readonly HandlerReport[]): TrafficWeights | null {
  const first = handlers[0];
  if (first === undefined) return null;
  if (handlers.every((h) => h.weights.blue === first.weights.blue && h.weights.green === first.weights.green && h.weights.plain === first.weights.plain)) return first.weights;
  const mean = (key: keyof TrafficWeights): number => Math.round(handlers.reduce((sum, h) => sum + h.weights[key], 0) / handlers.length);
  return { blue: mean('blue'), green: mean('green'), plain: mean('plain') };
}

/** Each colored service: configured ones first, in config order, then leftovers found in Docker. */
export function servicesSection(facts: StatusFacts, traffic: TrafficSection): ServiceReport[] {
  const containers = facts.docker?.containers ?? [];
  const sharedNames = new Set((facts.project?.shared ?? []).map((s) => s.name));
  const configured = (facts.project?.colored ?? []).map((s) => s.name);
  const leftovers = [...new Set(containers.filter((c) => c.color !== undefined && !sharedNames.has(c.service) && !configured.includes(c.service)).map((c) => c.service))].sort();
  return [...configured, ...leftovers].map((name) => {
    const entry = traffic.services.find((t) => t.service === name);
    const colorsServed = traffic.traffic.kind !== 'unknown' ? (colorsServing(traffic, facts, name) ?? []) : undefined;
    const handlers = handlerReports(entry, facts);
    return {
      name,
      configured: configured.includes(name),
      containers: containers.filter((c) => c.service === name && !sharedNames.has(c.service)).map((c) => containerRow(c, colorsServed, traffic.traffic.kind === 'plain')),
      handlers,
      dials: entry === undefined ? [] : dialRows(liveDials(entry), entry, facts),
      weights: serviceWeights(handlers),
    };
  });
}

/** The colors that take traffic must be able to serve it: each one that cannot is an error. */
export function servingProblems(facts: StatusFacts, traffic: TrafficSection): Problem[] {
  const { docker, project } = facts;
  if (docker === undefined || project === undefined) return [];
  const problems: Problem[] = [];
  for (const service of project.colored) {
    for (const color of colorsServing(traffic, facts, service.name) ?? []) {
      const readiness = readinessOf(service.name, color, docker.containers, service.byColor[color].replicas, undefined);
      if (readiness.why === undefined) continue;
      const who = traffic.traffic.kind === 'unknown' ? `the state file says ${color} is active` : `Caddy sends ${service.name}'s traffic to ${color}`;
      problems.push(
        problem('active-unhealthy', `${readiness.why}, but ${who}`, 'requests to it fail or wait: roll back (cutover rollback) or redeploy; docker logs shows why a container is unhealthy'),
      );
    }
  }
  return problems;
}
