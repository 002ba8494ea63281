import { judgeSwarmTasks, type SwarmTasksVerdict } from '../../domain/swarm-tasks-verdict.js';
import { sleep } from '../../sleep.js';
import type { DockerContext } from '../docker/docker-client.js';
import { listSwarmTasks } from './list-swarm-tasks.js';
import type { SwarmTask } from './swarm-task.js';

export interface WaitUntilTasksHealthyOptions {
  replicas: number;
  /** HEALTH_CHECK_TIMEOUT. */
  timeoutMs: number;
  /** How often the manager is asked; Docker 20.10 sends no task events. Default 250 ms. */
  pollMs?: number;
  signal?: AbortSignal;
  /** Tasks that existed before (a service scaled up from 0 keeps its ended ones): not judged. */
  ignoreTasks?: ReadonlySet<string>;
}

export type TasksWaitResult =
  | { ok: true; tasks: SwarmTask[]; ms: number }
  | { ok: false; reason: 'failed'; task: SwarmTask; tasks: SwarmTask[]; ms: number }
  | { ok: false; reason: 'timed-out'; tasks: SwarmTask[]; ms: number };

function describe(verdict: SwarmTasksVerdict): string {
  if (verdict.kind === 'pending') return `${verdict.running}/${verdict.replicas} running`;
  return verdict.kind;
}

/**
 * Waits until every task of a color's Swarm service runs (healthy, when the
 * service has a healthcheck) on whichever node it landed, as the manager sees
 * them; at most `timeoutMs`. A task that fails, exits or is rejected fails the
 * wait at once (judgeSwarmTasks). Returns the verdict with the tasks as last
 * seen (their addresses included), never throws for an unhealthy color.
 */
export async function waitUntilTasksHealthy(ctx: DockerContext, serviceName: string, options: WaitUntilTasksHealthyOptions): Promise<TasksWaitResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let last = '';
  for (;;) {
    const tasks = (await listSwarmTasks(ctx, serviceName)).filter((t) => options.ignoreTasks?.has(t.id) !== true);
    const verdict = judgeSwarmTasks(tasks, options.replicas);
    const ms = Date.now() - started;
    const said = describe(verdict);
    if (said !== last) {
      ctx.logger.debug({ event: 'swarm.tasks.progress', service: serviceName, verdict: said, ms }, `${serviceName}: ${said}`);
      last = said;
    }
    if (verdict.kind === 'healthy') return { ok: true, tasks: tasks.filter((t) => t.state === 'running' && t.desiredState === 'running'), ms };
    if (verdict.kind === 'failed') return { ok: false, reason: 'failed', task: verdict.task, tasks, ms };
    if (Date.now() >= deadline) return { ok: false, reason: 'timed-out', tasks, ms };
    await sleep(Math.min(options.pollMs ?? 250, Math.max(0, deadline - Date.now())), options.signal);
  }
}
