import type { NetworkSpec } from '../../config/model.js';
import { DockerOperationError } from '../../errors.js';
import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

/**
 * Makes sure a network exists before containers are attached to it. An external
 * network is never created: it belongs to someone else (usually the stack's
 * `docker compose up`), so its absence is an error with a hint.
 * Returns whether it was created now.
 */
export async function ensureNetwork(ctx: DockerContext, spec: NetworkSpec, labels: Record<string, string> = {}): Promise<{ created: boolean }> {
  try {
    await retryRead(() => ctx.docker.getNetwork(spec.name).inspect());
    return { created: false };
  } catch (err) {
    if (dockerStatusCode(err) !== 404) throw toDockerError(err, `inspecting network ${spec.name}`, ctx.endpoint);
  }
  if (spec.external) {
    throw new DockerOperationError(`external network ${spec.name} does not exist`, {
      hint: `Create it (\`docker network create ${spec.name}\`) or start the stack's shared services first (\`docker compose up -d\`).`,
    });
  }
  try {
    await ctx.docker.createNetwork({ Name: spec.name, Driver: spec.driver ?? 'bridge', Labels: labels, CheckDuplicate: true });
    ctx.logger.debug({ event: 'docker.network.created', network: spec.name }, `created network ${spec.name}`);
    return { created: true };
  } catch (err) {
    // Someone else created it between our inspect and create: it exists, which is all we need.
    if (dockerStatusCode(err) === 409) return { created: false };
    throw toDockerError(err, `creating network ${spec.name}`, ctx.endpoint);
  }
}
