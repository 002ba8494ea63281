/** What the verdict reads of one task of a color's Swarm service. */
export interface SwarmTaskState {
  slot: number;
  state: string;
  desiredState: string;
  error: string | undefined;
}

/** Ended states that mean the task stopped on its own or never ran: its process exited, its healthcheck failed, no node took it. */
const FAILED_STATES = new Set(['failed', 'rejected', 'orphaned', 'complete']);

export type SwarmTasksVerdict<T extends SwarmTaskState = SwarmTaskState> =
  | { kind: 'healthy'; running: number }
  | { kind: 'pending'; running: number; replicas: number }
  | { kind: 'failed'; task: T };

/**
 * Whether a freshly created color is ready, from its service's task list
 * (pure; the adapter polls). Every task of a new service belongs to this
 * deploy, so any task that ended (failed, rejected, orphaned, or completed:
 * a server that exits has failed too) fails the color at once, also when
 * Swarm already replaced it. Ready means `replicas` tasks running, wanted
 * running. With a healthcheck, Swarm reports a task `starting` until its
 * container is healthy and only then `running` (and kills an unhealthy one:
 * it shows as failed), so `running` means healthy on whichever node the task
 * landed, which only a manager can see.
 */
export function judgeSwarmTasks<T extends SwarmTaskState>(tasks: readonly T[], replicas: number): SwarmTasksVerdict<T> {
  const failed = tasks.find((task) => FAILED_STATES.has(task.state));
  if (failed !== undefined) return { kind: 'failed', task: failed };
  const running = tasks.filter((task) => task.state === 'running' && task.desiredState === 'running').length;
  return running >= replicas ? { kind: 'healthy', running } : { kind: 'pending', running, replicas };
}
