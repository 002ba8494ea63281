import { sleep } from '../../sleep.js';
import type { DockerContext } from '../docker/docker-client.js';
import { listSwarmTasks } from './list-swarm-tasks.js';

/** Task states after which a task's container has stopped for good. */
const ENDED = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned', 'remove']);

/**
 * Waits until no task of a Swarm service scaled to 0 is wanted running or
 * still runs (Swarm stops each with the service's grace period), polling the
 * manager (Docker 20.10 sends no task events); at most `timeoutMs`. Returns
 * how many tasks had not ended when it gave up (0: all ended).
 */
export async function waitUntilTasksEnded(ctx: DockerContext, serviceName: string, options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const left = (await listSwarmTasks(ctx, serviceName)).filter((t) => t.desiredState === 'running' || !ENDED.has(t.state)).length;
    if (left === 0 || Date.now() >= deadline) return left;
    await sleep(Math.min(options.pollMs ?? 250, Math.max(0, deadline - Date.now())), options.signal);
  }
}
