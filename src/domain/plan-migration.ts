import type { Color, ProjectConfig, ServiceSpec } from '../config/model.js';
import { splitCommand } from '../config/split-command.js';
import type { HistoryEntry } from '../state/state-schema.js';

/**
 * `deploy --migrate "<command>" [--migrate-service <service>]`: what runs, and
 * where. Pure: the flags and the project in, a plan or one problem out.
 *
 * The command is split into words the way Compose splits a string `command:`
 * (quotes, no shell), and replaces the service's command like
 * `docker compose run <service> <command>` does: the image's (or the
 * service's) entrypoint stays. Write `sh -c "..."` for a shell.
 */
export interface MigrationPlan {
  service: string;
  /** As the user wrote it: the key under which the migration is recorded. */
  command: string;
  /** The words run. */
  argv: string[];
}

export interface MigrationFlags {
  migrate?: string | undefined;
  migrateService?: string | undefined;
}

export type MigrationPlanning = { ok: true; migration: MigrationPlan | undefined } | { ok: false; problem: string };

export function planMigration(project: Pick<ProjectConfig, 'colored'>, flags: MigrationFlags): MigrationPlanning {
  const { migrate, migrateService } = flags;
  if (migrate === undefined) {
    if (migrateService !== undefined) return { ok: false, problem: '--migrate-service needs --migrate "<command>" (the command to run)' };
    return { ok: true, migration: undefined };
  }
  const argv = splitCommand(migrate.trim());
  if (argv === undefined) return { ok: false, problem: `--migrate "${migrate}" has a quote that is not closed` };
  if (argv.length === 0) return { ok: false, problem: '--migrate needs a command, e.g. --migrate "npm run migrate"' };
  const names = project.colored.map((s) => s.name);
  let service = migrateService;
  if (service === undefined) {
    if (names.length !== 1) {
      return { ok: false, problem: `--migrate needs --migrate-service <service> to say where it runs: the colored services are ${names.join(', ')}` };
    }
    service = names[0] as string;
  } else if (!names.includes(service)) {
    return { ok: false, problem: `--migrate-service "${service}" is not a colored service; choose one of ${names.join(', ')}` };
  }
  return { ok: true, migration: { service, command: migrate.trim(), argv } };
}

/**
 * The container spec a migration runs with: the new color's service (image,
 * environment, volumes, networks, labels, logging) with the command replaced,
 * one replica, and nothing that would make it serve or outlive its command:
 * no published ports, no network aliases (Caddy must never reach it by a
 * service's name), no healthcheck, no restart policy, no fixed container name.
 */
export function migrationSpec(spec: ServiceSpec, argv: readonly string[]): ServiceSpec {
  return {
    ...spec,
    command: [...argv],
    ports: [],
    expose: [],
    networks: spec.networks.map((n) => ({ ...n, aliases: [] })),
    healthcheck: 'disabled',
    restart: undefined,
    replicas: 1,
    containerName: undefined,
  };
}

/** The migration container's name: one per project, service and color (a leftover is removed before). */
export function migrationContainerName(project: string, service: string, color: Color): string {
  return `${project}-${service}-migrate-${color}`;
}

/**
 * A migration already run for these images: the newest history entry that
 * ran the same command in the same service on the same image ID, succeeding.
 * Whatever became of that operation (finished, failed later, interrupted and
 * undone), its migration is done: the database already has it.
 */
export function previousMigration(history: readonly HistoryEntry[], migration: MigrationPlan, imageId: string | undefined): HistoryEntry | undefined {
  return [...history]
    .reverse()
    .find(
      (entry) =>
        entry.migration !== undefined &&
        entry.migration.status === 'succeeded' &&
        entry.migration.service === migration.service &&
        entry.migration.command === migration.command &&
        entry.migration.imageId === imageId,
    );
}
