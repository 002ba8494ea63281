import type { DockerContext } from '../docker/docker-client.js';
import type { SwarmTask } from './swarm-task.js';

/**
 * The last healthcheck output of a task's container, for the error of a
 * version that never got healthy; undefined when the container is gone or on
 * another node (only the node that ran it knows it). A read for a message only:
 * it never fails the caller.
 */
export async function readTaskHealth(ctx: DockerContext, task: SwarmTask): Promise<string | undefined> {
  if (task.containerId === undefined) return undefined;
  try {
    const info = (await ctx.docker.getContainer(task.containerId).inspect()) as { State?: { Health?: { Log?: Array<{ Output?: string; ExitCode?: number }> } } };
    const last = info.State?.Health?.Log?.at(-1);
    if (last === undefined) return undefined;
    const output = (last.Output ?? '').trim().split('\n').at(-1) ?? '';
    return `exit ${last.ExitCode ?? '?'}${output === '' ? '' : `: ${output}`}`;
  } catch {
    return undefined;
  }
}
