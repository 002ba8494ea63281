import type { SwarmServices } from '../adapters/swarm/swarm-services.js';
import type { ProjectConfig } from '../config/model.js';
import type { Runtime } from './runtime.js';

/** How long the old color's tasks may take to stop beyond their grace period before a warning says so. */
const STOP_MARGIN_MS = 30_000;

/**
 * `deploy --stop-old` on Swarm, after the switch and the drain: the old
 * color's services are scaled to 0 replicas (Swarm stops each task with its
 * `stop_grace_period`) and waited for until every task has stopped. They stay
 * as services with their spec and pinned image, so a rollback scales them up
 * and waits until healthy. The deploy has succeeded already: a service that
 * cannot be scaled down or does not stop in time is a warning naming the fix,
 * not a failure.
 */
export async function stopSwarmColor(runtime: Runtime, swarm: SwarmServices, project: ProjectConfig, names: readonly string[], signal?: AbortSignal): Promise<void> {
  const graceMs = Math.max(0, ...project.colored.flatMap((s) => [s.byColor.blue.stopGracePeriodMs, s.byColor.green.stopGracePeriodMs]));
  for (const name of names) {
    try {
      await swarm.scale(name, 0);
      const left = await swarm.waitUntilEnded(name, { timeoutMs: graceMs + STOP_MARGIN_MS, ...(signal === undefined ? {} : { signal }) });
      if (left === 0) runtime.logger.info({ event: 'swarm.standby.stopped', service: name }, `scaled the old color's ${name} to 0 (--stop-old); a rollback scales it up first`);
      else runtime.logger.warn({ event: 'swarm.standby.stop-slow', service: name, left }, `${name} is scaled to 0 but ${left} task(s) had not stopped yet; docker service ps ${name} shows them`);
    } catch (error) {
      runtime.logger.warn({ event: 'swarm.standby.stop-failed', service: name }, `could not scale ${name} to 0: ${error instanceof Error ? error.message : String(error)}; it keeps running as the standby (docker service scale ${name}=0 stops it)`);
    }
  }
}
