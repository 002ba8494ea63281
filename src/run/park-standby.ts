import { createHash } from 'node:crypto';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { ProjectConfig } from '../config/model.js';
import type { Operation, Standby } from '../state/state-schema.js';
import { recordParked } from '../state/state-transitions.js';
import type { Runtime } from './runtime.js';
import type { StateKeeper } from './state-keeper.js';
import { stopGraceMs, waitForHealthy } from './start-color.js';

/**
 * Parking: a deploy starts the new version in the standby's color, whose
 * containers hold the names (container_name) and host ports it needs. Instead
 * of removing the standby, it is stopped and renamed out of the way, so that a
 * deploy that fails, is interrupted or aborted can bring the rollback target
 * back exactly as it was (same container, same image) instead of losing it.
 * A deploy that succeeds removes the parked containers in its finish path.
 *
 * The journal records each parked container before it is touched, so a kill at
 * any instant leaves the next command enough to put it back or remove it.
 */

/** `<name>-parked-<6 hex of the operation id>`: free of the name the new color needs, and recognisable in `docker ps -a`. */
export function parkedName(name: string, operationId: string): string {
  return `${name}-parked-${createHash('sha256').update(operationId).digest('hex').slice(0, 6)}`;
}

export async function parkStandby(runtime: Runtime, project: ProjectConfig, journal: StateKeeper, containers: readonly ServiceContainer[], previousStandby: Standby | null): Promise<void> {
  const operation = journal.state.operation;
  if (operation === null || containers.length === 0) return;
  await journal.update((s) => recordParked(s, containers.map((c) => ({ id: c.id, name: c.name })), previousStandby));
  await Promise.all(
    containers.map(async (container) => {
      if (container.state === 'running' || container.state === 'restarting') await runtime.docker.stopContainers([container.id], stopGraceMs(project, container));
      await runtime.docker.renameContainer(container.id, parkedName(container.name, operation.id));
    }),
  );
  runtime.logger.info({ event: 'standby.parked', containers: containers.map((c) => c.name) }, `  parked the old ${containers[0]?.color ?? ''} containers (stopped, kept for a failed deploy): ${containers.map((c) => `${c.name} (${c.version})`).join(', ')}`);
}

/**
 * Puts the parked standby back: its names, started, healthy. True when it is
 * serving-ready again; false when nothing was parked. Throws when it could not
 * be brought back (the caller reports it; traffic is not affected).
 */
export async function unparkStandby(runtime: Runtime, project: ProjectConfig, operation: Operation): Promise<boolean> {
  if (operation.parked.length === 0) return false;
  const present = await runtime.docker.listContainers({ project: project.projectName });
  const parked = operation.parked.filter((p) => present.some((c) => c.id === p.id));
  if (parked.length < operation.parked.length) {
    throw new Error(`${operation.parked.length - parked.length} parked container(s) of the previous standby are gone`);
  }
  for (const p of parked) await runtime.docker.renameContainer(p.id, p.name);
  await runtime.docker.startContainers(parked.map((p) => p.id));
  const containers = (await runtime.docker.listContainers({ project: project.projectName })).filter((c) => parked.some((p) => p.id === c.id));
  const { healthCheckTimeoutMs: timeoutMs, healthCheckIntervalMs: intervalMs } = project.settings;
  // Not the operation's signal: that one may have fired (Ctrl-C), and this is the undo it asked for.
  await waitForHealthy(runtime, containers, { timeoutMs, intervalMs, signal: new AbortController().signal, color: containers[0]?.color ?? 'blue' });
  runtime.logger.info({ event: 'standby.restored', containers: parked.map((p) => p.name) }, `  the previous standby is back: ${parked.map((p) => p.name).join(', ')}`);
  return true;
}

/** Removes the parked containers for good (the operation succeeded, or an aborted canary keeps its new color instead). */
export async function removeParked(runtime: Runtime, operation: Operation): Promise<void> {
  if (operation.parked.length === 0) return;
  await runtime.docker.removeContainers(operation.parked.map((p) => p.id), { force: true });
  runtime.logger.info({ event: 'parked.removed', containers: operation.parked.map((p) => p.name) }, `  removed the parked old containers: ${operation.parked.map((p) => p.name).join(', ')}`);
}
