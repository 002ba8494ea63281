import type { SwarmServices } from '../adapters/swarm/swarm-services.js';
import type { TasksWaitResult } from '../adapters/swarm/wait-until-tasks-healthy.js';
import type { SwarmRollbackPlan } from '../domain/plan-swarm-rollback.js';
import { HealthTimeoutError } from '../errors.js';
import type { Runtime } from './runtime.js';

/** Why one service did not get healthy: its task's state and Swarm's reason, with the last health output when the task ran on this node. */
async function whyNot(swarm: SwarmServices, result: TasksWaitResult, timeoutMs: number): Promise<string> {
  if (result.ok) return '';
  if (result.reason === 'timed-out') return `not running and healthy after ${Math.round(timeoutMs / 1000)} s (HEALTH_CHECK_TIMEOUT)`;
  const health = await swarm.healthOutput(result.task).catch(() => undefined);
  return `task ${result.task.slot} ${result.task.state} (${result.task.error ?? result.task.message ?? result.task.state})${health === undefined ? '' : `; last healthcheck: ${health}`}`;
}

/** Puts the standby back as it was: the services created removed, the ones scaled up scaled back to 0. Best effort, each failure a warning. */
async function undo(runtime: Runtime, swarm: SwarmServices, plan: SwarmRollbackPlan, created: readonly string[]): Promise<void> {
  for (const name of created) {
    await swarm.remove(name).catch((error: unknown) => runtime.logger.warn({ event: 'swarm.remove.failed', service: name }, `could not remove ${name}: ${error instanceof Error ? error.message : String(error)}; remove it with docker service rm ${name}`));
  }
  for (const { name } of plan.scale) {
    await swarm.scale(name, 0).catch((error: unknown) => runtime.logger.warn({ event: 'swarm.scale.failed', service: name }, `could not scale ${name} back to 0: ${error instanceof Error ? error.message : String(error)}`));
  }
}

/**
 * Brings the standby up before a rollback switches to it (plan-swarm-rollback.ts):
 * each service scaled to 0 is scaled to its replicas, each gone one is created
 * again from the planned record (its version, its pinned image), and every new
 * task is waited for until running and healthy (tasks a service had before are
 * not judged). When one does not get there (or the wait is interrupted), the
 * created services are removed and the scaled ones scaled back to 0, and the
 * rollback fails before the switch (HealthTimeoutError, exit 9): traffic was
 * not touched.
 */
export async function readySwarmStandby(runtime: Runtime, swarm: SwarmServices, plan: SwarmRollbackPlan, timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (plan.scale.length === 0 && plan.create.length === 0) return;
  const before = new Set((await Promise.all(plan.scale.map((s) => swarm.listTasks(s.name)))).flat().map((t) => t.id));
  const created: string[] = [];
  let waits: Array<{ name: string; result: TasksWaitResult }>;
  try {
    for (const { name, replicas } of plan.scale) {
      await swarm.scale(name, replicas);
      runtime.logger.info({ event: 'swarm.standby.scaled', service: name, replicas }, `scaled the standby ${name} to ${replicas} (it had 0)`);
    }
    for (const service of plan.create) {
      await swarm.create(service.spec);
      created.push(service.name);
      runtime.logger.info({ event: 'swarm.standby.created', service: service.name, image: service.spec.TaskTemplate.ContainerSpec.Image }, `created the standby ${service.name} again from the record (${service.replicas} task${service.replicas === 1 ? '' : 's'} of ${service.spec.TaskTemplate.ContainerSpec.Image})`);
    }
    const targets = [...plan.scale, ...plan.create.map((s) => ({ name: s.name, replicas: s.replicas }))];
    waits = await Promise.all(targets.map(async (s) => ({ name: s.name, result: await swarm.waitUntilHealthy(s.name, { replicas: s.replicas, timeoutMs, signal, ignoreTasks: before }) })));
  } catch (error) {
    await undo(runtime, swarm, plan, created);
    throw error;
  }
  const failed = waits.filter((w) => !w.result.ok);
  if (failed.length === 0) return;
  // Read before the undo: the health output lives in the task's container, which goes with its service.
  const why = await Promise.all(failed.map(async (w) => `${w.name}: ${await whyNot(swarm, w.result, timeoutMs)}`));
  await undo(runtime, swarm, plan, created);
  const undone = [created.length > 0 ? 'the services created again were removed' : '', plan.scale.length > 0 ? 'the scaled ones scaled back to 0' : ''].filter((s) => s !== '').join(' and ');
  throw new HealthTimeoutError(`the standby did not get healthy: ${why.join('; ')}; ${undone}, traffic was not touched`, {
    hint: "docker service ps --no-trunc <service> shows every task's error; deploy the version you want instead",
  });
}
