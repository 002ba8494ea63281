import type { NetworkSpec } from '../../config/model.js';
import type { DockerContext } from './docker-client.js';
import { ensureNamedObject } from './ensure-named-object.js';

/**
 * Makes sure a network exists before containers are attached to it. An external
 * network is never created: it belongs to someone else (usually the stack's
 * `docker compose up`), so its absence is an error with a hint.
 * Returns whether it was created now.
 */
export function ensureNetwork(ctx: DockerContext, spec: NetworkSpec, labels: Record<string, string> = {}): Promise<{ created: boolean }> {
  return ensureNamedObject(ctx, 'network', spec, {
    inspect: () => ctx.docker.getNetwork(spec.name).inspect(),
    create: () => ctx.docker.createNetwork({ Name: spec.name, Driver: spec.driver ?? 'bridge', Labels: labels, CheckDuplicate: true }),
  });
}
