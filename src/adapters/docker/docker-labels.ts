import type { Color } from '../../config/model.js';

/**
 * The labels cutover puts on every container it creates. They are how cutover
 * finds its containers again; Docker Compose's own `com.docker.compose.*`
 * labels are never set, so `docker compose` does not adopt them or call them
 * orphans.
 */
export const LABEL = {
  project: 'cutover.project',
  service: 'cutover.service',
  color: 'cutover.color',
  version: 'cutover.version',
  replica: 'cutover.replica',
  /** The id of the operation that created the container: crash recovery finds what a dead process started by it. */
  operation: 'cutover.operation',
  /** The image as the compose files name it (`repo:latest`); the container itself is created from the pinned reference. */
  imageRef: 'cutover.image.ref',
  /** The repository digest (`sha256:...`) when the image came from a registry. */
  imageDigest: 'cutover.image.digest',
} as const;

const COMPOSE_LABEL_PREFIX = 'com.docker.compose.';

export interface ContainerIdentity {
  project: string;
  service: string;
  /** undefined for a shared service: it belongs to no color. */
  color: Color | undefined;
  version: string;
  /** 1-based. */
  replica: number;
}

/**
 * The labels of one container: the spec's own and the caller's extra labels,
 * then cutover's, which always win. Compose's labels are dropped.
 */
export function containerLabels(identity: ContainerIdentity, specLabels: Record<string, string>, extraLabels: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...specLabels, ...extraLabels })) {
    if (!key.startsWith(COMPOSE_LABEL_PREFIX)) labels[key] = value;
  }
  labels[LABEL.project] = identity.project;
  labels[LABEL.service] = identity.service;
  if (identity.color !== undefined) labels[LABEL.color] = identity.color;
  labels[LABEL.version] = identity.version;
  labels[LABEL.replica] = String(identity.replica);
  return labels;
}

export interface ContainerSelector {
  project: string;
  service?: string | undefined;
  color?: Color | undefined;
}

/** Docker `label` filters (`key=value`) selecting the containers of a project, service and color. */
export function labelFilters(selector: ContainerSelector): string[] {
  const filters = [`${LABEL.project}=${selector.project}`];
  if (selector.service !== undefined) filters.push(`${LABEL.service}=${selector.service}`);
  if (selector.color !== undefined) filters.push(`${LABEL.color}=${selector.color}`);
  return filters;
}
