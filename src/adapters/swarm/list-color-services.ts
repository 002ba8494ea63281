import type { Color } from '../../config/model.js';
import type { DockerContext } from '../docker/docker-client.js';
import { toDockerError } from '../docker/docker-failure.js';
import { LABEL } from '../docker/docker-labels.js';
import { retryRead } from '../docker/retry-read.js';

/** A color's Swarm service as its labels and spec say. */
export interface ColorService {
  name: string;
  service: string;
  color: Color;
  version: string | undefined;
  /** Mode.Replicated.Replicas: what Swarm keeps running (0: scaled down). */
  replicas: number;
  /** `cutover.operation`: the operation that created it, so that crash recovery finds what a dead deploy started. */
  operation: string | undefined;
}

interface RawService {
  Spec?: { Name?: string; Labels?: Record<string, string>; Mode?: { Replicated?: { Replicas?: number } } };
}

/**
 * Every Swarm service cutover created for the project (by its `cutover.project`
 * label), with its colored service, color and replicas, by name. Services
 * without a color label are not cutover's and are left out.
 */
export async function listColorServices(ctx: DockerContext, project: string): Promise<ColorService[]> {
  let raw: RawService[];
  try {
    raw = (await retryRead(() => ctx.docker.listServices({ filters: { label: [`${LABEL.project}=${project}`] } }))) as RawService[];
  } catch (err) {
    throw toDockerError(err, `listing the Swarm services of project ${project}`, ctx.endpoint);
  }
  return raw
    .flatMap((s): ColorService[] => {
      const labels = s.Spec?.Labels ?? {};
      const color = labels[LABEL.color];
      const name = s.Spec?.Name;
      if (name === undefined || (color !== 'blue' && color !== 'green')) return [];
      return [{ name, service: labels[LABEL.service] ?? '', color, version: labels[LABEL.version], replicas: s.Spec?.Mode?.Replicated?.Replicas ?? 0, operation: labels[LABEL.operation] }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
