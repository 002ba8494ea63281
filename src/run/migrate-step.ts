import { planContainer } from '../adapters/docker/plan-container.js';
import type { ProjectConfig } from '../config/model.js';
import { pinnedReference } from '../domain/image-identity.js';
import { migrationContainerName, migrationSpec, previousMigration, type MigrationPlan } from '../domain/plan-migration.js';
import { MigrationFailedError } from '../errors.js';
import type { Migration, State } from '../state/state-schema.js';
import type { CutoverContext } from './cutover-steps.js';
import type { Step } from './run-steps.js';
import type { Runtime } from './runtime.js';
import { ensureProjectResources } from './start-color.js';
import type { StateKeeper } from './state-keeper.js';

/** Labels of a migration container. Never `cutover.project`: it is no service container, so no color, status or cleanup sees it. */
export const MIGRATION_LABEL = {
  project: 'cutover.migration.project',
  operation: 'cutover.migration.operation',
  service: 'cutover.migration.service',
} as const;

/** How many of its last output lines a migration shows. */
export const MIGRATION_OUTPUT_LINES = 30;

const COMPOSE_LABEL_PREFIX = 'com.docker.compose.';

/** The journal's record of the running operation's migration. */
export function recordMigration(state: State, migration: Migration): State {
  if (state.operation === null) throw new Error('bug: a migration was recorded with no operation in the journal');
  return { ...state, operation: { ...state.operation, migration } };
}

/** Removes every migration container of the operation (all of the project's when no operation is given). */
export async function removeMigrationContainers(runtime: Runtime, project: ProjectConfig, operationId?: string): Promise<string[]> {
  const found = await runtime.docker.findOneOffs({ [MIGRATION_LABEL.project]: project.projectName, ...(operationId === undefined ? {} : { [MIGRATION_LABEL.operation]: operationId }) });
  if (found.length > 0) await runtime.docker.removeContainers(found.map((c) => c.id), { force: true });
  return found.map((c) => c.name);
}

/**
 * The migration step of a deploy: runs the command once, in a container of the
 * new version of one colored service (the new color's environment, volumes and
 * networks, no aliases or ports), before the new color starts. Recorded in the
 * journal as `running` before the container starts and with its result after,
 * so it runs once per deploy also across a kill (see recover-migration.ts), and
 * not at all when the history shows it already ran on these images.
 * A non-zero exit fails the step (MigrationFailedError, exit 15) with the
 * container's last output lines; the container is always removed.
 */
export function migrateStep(ctx: CutoverContext, migration: MigrationPlan): Step {
  const { runtime, project, plan, journal } = ctx;
  const operationId = (): string => {
    const operation = journal.state.operation;
    if (operation === null) throw new Error('bug: the migration step ran with no operation in the journal');
    return operation.id;
  };
  return {
    phase: 'migrating',
    title: `migrate: ${migration.command} (${migration.service} ${plan.version})`,
    run: async (signal) => {
      const service = project.colored.find((s) => s.name === migration.service);
      if (service === undefined) throw new Error(`bug: migration service ${migration.service} is not colored`);
      const image = plan.images?.[migration.service];
      const base = { service: migration.service, command: migration.command, ...(image === undefined ? {} : { imageId: image.id }) };
      const earlier = previousMigration(journal.state.history, migration, image?.id);
      if (earlier !== undefined) {
        runtime.logger.info(
          { event: 'migration.skipped', service: migration.service, command: migration.command, ranIn: earlier.id },
          `  migration "${migration.command}" already ran on these images (${earlier.kind} ${earlier.version}, ${earlier.id}, ${earlier.outcome}); not run again`,
        );
        await journal.update((s) => recordMigration(s, { ...base, status: 'skipped', ranIn: earlier.id }));
        return;
      }
      await ensureProjectResources(runtime, project);
      // A leftover of an earlier attempt holds the name; the lock says no other cutover runs one.
      await removeMigrationContainers(runtime, project);
      const spec = migrationSpec(service.byColor[plan.toColor], migration.argv);
      const names = {
        networks: Object.fromEntries(Object.entries(project.networks).map(([key, n]) => [key, n.name])),
        volumes: Object.fromEntries(Object.entries(project.volumes).map(([key, v]) => [key, v.name])),
      };
      const container = planContainer({
        project: project.projectName,
        spec: image === undefined ? spec : { ...spec, image: pinnedReference(image) },
        color: plan.toColor,
        version: plan.version,
        replica: 1,
        ...names,
      });
      const labels = Object.fromEntries(Object.entries(spec.labels).filter(([key]) => !key.startsWith(COMPOSE_LABEL_PREFIX) && !key.startsWith('cutover.')));
      const name = migrationContainerName(project.projectName, migration.service, plan.toColor);
      const create = {
        ...container.create,
        name,
        Labels: { ...labels, [MIGRATION_LABEL.project]: project.projectName, [MIGRATION_LABEL.operation]: operationId(), [MIGRATION_LABEL.service]: migration.service },
      };
      // Recorded before it starts: after a kill, the next command knows to look for it.
      await journal.update((s) => recordMigration(s, { ...base, status: 'running' }));
      runtime.logger.info({ event: 'migration.start', service: migration.service, command: migration.command, container: name }, `  running "${migration.command}" in ${name}`);
      const id = await runtime.docker.startOneOff({ create, connectBeforeStart: container.connectBeforeStart });
      let exitCode: number;
      try {
        exitCode = await runtime.docker.waitForExit(id, signal);
      } catch (error) {
        // Interrupted: the migration is stopped with its container; the journal keeps `running` (it may have done part of its work).
        await runtime.docker.removeContainers([id], { force: true }).catch(() => undefined);
        throw error;
      }
      const output = await runtime.docker.oneOffOutput(id, MIGRATION_OUTPUT_LINES).catch((error: unknown) => [`(its output could not be read: ${String(error)})`]);
      await runtime.docker.removeContainers([id], { force: true });
      await journal.update((s) => recordMigration(s, { ...base, status: exitCode === 0 ? 'succeeded' : 'failed', exitCode }));
      const level = exitCode === 0 ? 'info' : 'error';
      runtime.logger[level]({ event: 'migration.output', lines: output }, output.length === 0 ? '  (the migration wrote no output)' : output.map((line) => `  | ${line}`).join('\n'));
      if (exitCode !== 0) {
        const last = output.at(-1)?.trim() ?? '';
        throw new MigrationFailedError(`the migration "${migration.command}" in ${migration.service} ${plan.version} exited with code ${exitCode}${last === '' ? '' : `: ${last}`}`, {
          hint: 'its last output lines are shown above; traffic was not touched and the new color was not started. Fix the migration and deploy again',
        });
      }
      runtime.logger.info({ event: 'migration.done', service: migration.service, exitCode }, `  migration done (exit 0)`);
    },
    undo: async () => {
      // The database change is not undone (cutover cannot know how); only the container goes.
      await removeMigrationContainers(runtime, project, operationId());
    },
  };
}

/**
 * After a kill: the migration of an interrupted operation, recorded `running`,
 * may still run or have ended. Its end is waited for (a migration stopped
 * halfway is worse than one let finish) and recorded, so the history says
 * whether it ran, and its container is removed. Called by the recovery before
 * it finishes or undoes the operation.
 */
export async function settleMigration(runtime: Runtime, project: ProjectConfig, journal: StateKeeper, signal: AbortSignal): Promise<void> {
  const operation = journal.state.operation;
  if (operation === null) return;
  const migration = operation.migration;
  const found = await runtime.docker.findOneOffs({ [MIGRATION_LABEL.project]: project.projectName, [MIGRATION_LABEL.operation]: operation.id });
  if (migration?.status === 'running') {
    const container = found[0];
    if (container !== undefined) {
      let exitCode = container.exitCode;
      if (exitCode === undefined) {
        runtime.logger.warn({ event: 'migration.wait', container: container.name }, `the interrupted ${operation.kind}'s migration "${migration.command}" still runs in ${container.name}; waiting for it to end`);
        exitCode = await runtime.docker.waitForExit(container.id, signal);
      }
      runtime.logger.info({ event: 'migration.settled', exitCode }, `the interrupted ${operation.kind}'s migration "${migration.command}" ended with exit code ${exitCode}`);
      await journal.update((s) => recordMigration(s, { ...migration, status: exitCode === 0 ? 'succeeded' : 'failed', exitCode }));
    }
  }
  if (found.length > 0) await runtime.docker.removeContainers(found.map((c) => c.id), { force: true });
}
