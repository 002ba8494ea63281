import type { Color } from '../../config/model.js';
import { isHealthy } from '../is-healthy.js';
import type { ObservedContainer } from './status-input.js';

export interface Readiness {
  /** Enough containers of the color are running. */
  running: boolean;
  /** ... and serving, and (when a version is asked for) running that version. */
  healthy: boolean;
  /** Why not, in one line; undefined when healthy. */
  why: string | undefined;
}

function describeContainer(c: ObservedContainer): string {
  if (c.state !== 'running') return `${c.name} is ${c.state}`;
  return `${c.name} is ${c.health === 'starting' ? 'still starting' : c.health}`;
}

/** Whether `color` of `service` can take traffic: enough ready containers, and why not. */
export function readinessOf(service: string, color: Color, containers: readonly ObservedContainer[], replicas: number, version: string | undefined): Readiness {
  const own = containers.filter((c) => c.service === service && c.color === color);
  const running = own.filter((c) => c.state === 'running');
  const ready = own.filter(isHealthy);
  const wrongVersion = version === undefined ? [] : own.filter((c) => c.version !== version);
  let why: string | undefined;
  if (own.length === 0) why = `${service} has no ${color} container`;
  else if (ready.length < replicas) {
    const bad = own.filter((c) => !isHealthy(c)).map(describeContainer);
    why = `${service} ${color}: ${ready.length} of ${replicas} container(s) ready${bad.length > 0 ? ` (${bad.join(', ')})` : ''}`;
  } else if (wrongVersion.length > 0) {
    why = `${service} ${color} runs ${[...new Set(wrongVersion.map((c) => c.version))].join(', ')}, not ${version}`;
  }
  return { running: own.length > 0 && running.length >= replicas, healthy: why === undefined, why };
}
