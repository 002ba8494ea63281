import type { ProjectConfig } from '../config/model.js';
import type { Operation } from '../state/state-schema.js';
import { drainStartedColor } from './drain-started-color.js';
import { removeParked, unparkStandby } from './park-standby.js';
import type { Runtime } from './runtime.js';

export interface UndoStartedResult {
  /** The parked standby is back, healthy. */
  standbyRestored: boolean;
  /** Why it could not be brought back, when it could not. */
  standbyProblem: string | undefined;
}

/**
 * The undo of starting a new color: every container the operation created
 * (found by its `cutover.operation` label, so a container created just before a
 * kill is found too) is removed once Caddy has no request in flight to it, and
 * the parked standby is brought back. An
 * aborted canary may keep its new color for inspection (`keepNew`): the parked
 * standby is then removed instead, since the kept color holds its names.
 */
export async function undoStartedColor(runtime: Runtime, project: ProjectConfig, operation: Operation, options: { keepNew: boolean }): Promise<UndoStartedResult> {
  const parked = new Set(operation.parked.map((p) => p.id));
  const created = (await runtime.docker.listContainers({ project: project.projectName })).filter((c) => c.operation === operation.id && !parked.has(c.id));
  if (options.keepNew && created.length > 0) {
    runtime.logger.info({ event: 'container.kept', containers: created.map((c) => c.name) }, `  kept ${created.map((c) => c.name).join(', ')} for inspection`);
    await removeParked(runtime, operation);
    return { standbyRestored: false, standbyProblem: undefined };
  }
  if (created.length > 0) {
    // A reset's containers are the plain services, never given a color's traffic before its switch.
    if (operation.kind !== 'reset') await drainStartedColor(runtime, project, operation.toColor, created);
    await runtime.docker.removeContainers(created.map((c) => c.id), { force: true });
    runtime.logger.info({ event: 'container.removed', containers: created.map((c) => c.name) }, `  removed ${created.map((c) => c.name).join(', ')}`);
  }
  try {
    return { standbyRestored: await unparkStandby(runtime, project, operation), standbyProblem: undefined };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    runtime.logger.error({ event: 'standby.restore.failed', err: problem }, `  could not bring the previous standby back: ${problem}; removing it (rollback starts that version again)`);
    // Left parked it would be an orphan: nothing serves from it, and the next deploy could not use its names.
    await removeParked(runtime, operation).catch(() => undefined);
    return { standbyRestored: false, standbyProblem: problem };
  }
}
