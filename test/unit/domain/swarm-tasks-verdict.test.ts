import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgeSwarmTasks, type SwarmTaskState } from '../../../src/domain/swarm-tasks-verdict.js';

const task = (slot: number, state: string, desiredState = 'running', error?: string): SwarmTaskState => ({ slot, state, desiredState, error });

describe('judgeSwarmTasks', () => {
  const cases: Array<{ name: string; tasks: SwarmTaskState[]; replicas: number; want: string }> = [
    { name: 'nothing scheduled yet', tasks: [], replicas: 2, want: 'pending 0/2' },
    { name: 'one running, one still starting (health not passed yet)', tasks: [task(1, 'running'), task(2, 'starting')], replicas: 2, want: 'pending 1/2' },
    { name: 'every replica running', tasks: [task(1, 'running'), task(2, 'running')], replicas: 2, want: 'healthy 2' },
    { name: 'a running task Swarm is shutting down does not count', tasks: [task(1, 'running'), task(2, 'running', 'shutdown')], replicas: 2, want: 'pending 1/2' },
    {
      name: 'a task killed as unhealthy fails the color, also when Swarm already replaced it',
      tasks: [task(1, 'running'), task(2, 'failed', 'shutdown', 'task: non-zero exit (137): dockerexec: unhealthy container'), task(2, 'running')],
      replicas: 2,
      want: 'failed slot 2: task: non-zero exit (137): dockerexec: unhealthy container',
    },
    { name: 'a server that exits 0 has failed too', tasks: [task(1, 'complete', 'shutdown')], replicas: 1, want: 'failed slot 1: undefined' },
    { name: 'a task no node accepts', tasks: [task(1, 'rejected', 'shutdown', 'no such image')], replicas: 1, want: 'failed slot 1: no such image' },
    { name: 'a task scaled away (shutdown) is no failure', tasks: [task(1, 'shutdown', 'shutdown'), task(1, 'running')], replicas: 1, want: 'healthy 1' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const verdict = judgeSwarmTasks(c.tasks, c.replicas);
      const said =
        verdict.kind === 'healthy'
          ? `healthy ${verdict.running}`
          : verdict.kind === 'pending'
            ? `pending ${verdict.running}/${verdict.replicas}`
            : `failed slot ${verdict.task.slot}: ${verdict.task.error}`;
      assert.equal(said, c.want);
    });
  }
});
