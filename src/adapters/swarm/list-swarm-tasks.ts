import type { DockerContext } from '../docker/docker-client.js';
import { dockerStatusCode, toDockerError } from '../docker/docker-failure.js';
import { retryRead } from '../docker/retry-read.js';
import { type RawTask, type SwarmTask, toSwarmTask } from './swarm-task.js';

/**
 * Every task Swarm keeps for the service (the current ones and a few replaced
 * ones), by slot; none when the service does not exist. Needs a manager node:
 * only managers know the tasks of every node.
 */
export async function listSwarmTasks(ctx: DockerContext, serviceName: string): Promise<SwarmTask[]> {
  let raw: RawTask[];
  try {
    raw = (await retryRead(() => ctx.docker.listTasks({ filters: { service: [serviceName] } }))) as RawTask[];
  } catch (err) {
    // The engine resolves the name first and answers 404 for a service that is gone.
    if (dockerStatusCode(err) === 404) return [];
    throw toDockerError(err, `listing the tasks of Swarm service ${serviceName}`, ctx.endpoint);
  }
  return raw.map(toSwarmTask).sort((a, b) => a.slot - b.slot || a.id.localeCompare(b.id));
}
