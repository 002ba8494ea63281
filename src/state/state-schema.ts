import { z } from 'zod';
import { COLORS } from '../config/model.js';

/**
 * The state file (`caddy/cutover-state.json`): cutover's record of intent and
 * history. Caddy's live config stays the truth about where traffic goes;
 * `status` compares the two and reports drift.
 *
 * Versioning: bump STATE_SCHEMA_VERSION for ANY change of shape, also an added
 * optional field, and add a step to migrate-state.ts. An older cutover refuses a
 * newer file because zod would silently drop fields it does not know and its
 * next write would lose them.
 */
export const STATE_SCHEMA_VERSION = 2;

/** How many finished operations the history keeps; the oldest go first. */
export const HISTORY_LIMIT = 50;

const colorSchema = z.enum(COLORS);
/** ISO 8601 with `Z` or an offset, as `Date.prototype.toISOString` writes it. */
const timeSchema = z.iso.datetime({ offset: true });
const versionSchema = z.string().min(1);
const percentSchema = z.number().min(0).max(100);

// ---------------------------------------------------------------------------
// Image identity (schema version 2, issue 12). One contiguous block so that a
// merge with other v2 changes stays easy. Every field that uses these schemas
// is optional: a state written before v2 has no identities, and the code then
// falls back to the tag (the behaviour of v1).
// ---------------------------------------------------------------------------

/**
 * What one colored service really ran: the reference as the compose files
 * wrote it (`repo:latest`, `repo@sha256:...`), the image ID the engine gave the
 * container (`sha256:...`, the config digest) and the repository digest
 * (`sha256:...`) when the image came from a registry, else null (built or
 * loaded on this host only). A rollback starts `repo@digest`, or the image ID
 * when there is no digest; never the tag again.
 */
export const imageIdentitySchema = z.object({
  ref: z.string().min(1),
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/).nullable(),
});

/** Per colored service name. */
export const serviceImagesSchema = z.record(z.string(), imageIdentitySchema);

/** Fields added to `active`, `standby`, `operation` and history entries in v2. */
const imagesField = { images: serviceImagesSchema.optional() };
/** On `operation` and history entries: what ran before the operation (the release a rollback returns to). */
const fromImagesField = { fromImages: serviceImagesSchema.optional() };
// --------------------------------------------------------------------------- end of image identity

// ---------------------------------------------------------------------------
// Migrations (deploy --migrate, issue 9). Optional on the operation and the
// history entry, so files without it read as before (no schema version bump:
// an older cutover drops the field, which only loses the "already ran" record).
// ---------------------------------------------------------------------------

/** The migration of a deploy: recorded `running` before its container starts, then its result. */
export const migrationSchema = z.object({
  service: z.string().min(1),
  /** As the user wrote it (`--migrate`): with the service and image, the key that keeps it from running twice. */
  command: z.string().min(1),
  /** The image ID it ran on. */
  imageId: z.string().optional(),
  status: z.enum(['running', 'succeeded', 'failed', 'skipped']),
  exitCode: z.number().int().optional(),
  /** `skipped`: the operation whose history entry shows it already ran. */
  ranIn: z.string().optional(),
});
const migrationField = { migration: migrationSchema.optional() };
// --------------------------------------------------------------------------- end of migrations

export const operationKindSchema = z.enum(['deploy', 'rollback', 'canary', 'cleanup', 'reset']);
/**
 * How an operation ended. `interrupted`: its process died (kill, crash, reboot)
 * and the next cutover command undid what it had done (see recovery below).
 */
export const outcomeSchema = z.enum(['succeeded', 'failed', 'aborted', 'rolled-back', 'interrupted']);

/** How long one phase of an operation took. */
export const phaseTimingSchema = z.object({
  name: z.string().min(1),
  ms: z.number().int().min(0),
});

export const activeSchema = z.object({
  color: colorSchema,
  version: versionSchema,
  /** When traffic was switched to this color. */
  since: timeSchema,
  ...imagesField,
});

/** The previous color, kept running so that `rollback` is one Caddy change. */
export const standbySchema = z.object({
  color: colorSchema,
  version: versionSchema,
  ...imagesField,
});

export const canarySchema = z
  .object({
    /** Percent of traffic on the new color at each step, in order (e.g. 10, 25, 50); 100 is the final flip. */
    steps: z.array(percentSchema.positive()).min(1),
    /** Index in `steps` of the step now applied. */
    stepIndex: z.number().int().min(0),
    /** Indexes of `steps` after which the canary waits for `cutover promote` or `cutover abort`. */
    pauseAfter: z.array(z.number().int().min(0)).default([]),
    /** True while it waits there. */
    paused: z.boolean().default(false),
    /**
     * Each colored service's `load_balancing` before the canary changed it (null: none), so
     * that whoever finishes the canary (this process, or promote/abort after a crash) can
     * put the user's own setting back. Keyed per handler (`<service>@<server>/routes/...`,
     * see handlerKey in plan-switch.ts); a bare service name, as earlier files hold, stands
     * for every handler of the service. Same shape, so no schema change.
     */
    originalLoadBalancing: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).default({}),
    /** Percent per color as last sent to Caddy. */
    weights: z.object({ blue: percentSchema, green: percentSchema }),
    /** The last error analysis between steps: named figures (requests, errors, error rate, latency, ...). */
    analysis: z
      .object({
        at: timeSchema,
        figures: z.record(z.string(), z.number()),
      })
      .optional(),
  })
  .refine((canary) => canary.stepIndex < canary.steps.length, {
    message: 'stepIndex is past the last step',
    path: ['stepIndex'],
  })
  .refine((canary) => canary.weights.blue + canary.weights.green === 100, {
    message: 'weights must add up to 100',
    path: ['weights'],
  });

/**
 * The operation in progress, or interrupted if its process is gone (compare
 * `pid` and `host` with the lock). Crash recovery starts from here.
 */
export const operationSchema = z.object({
  id: z.string().min(1),
  kind: operationKindSchema,
  /** null: nothing was live before (first deploy). */
  fromColor: colorSchema.nullable(),
  toColor: colorSchema,
  fromVersion: versionSchema.nullable(),
  toVersion: versionSchema,
  /**
   * A free string so that new phases need no schema change. In use:
   * starting, waiting-healthy, switching, verifying, draining, canary-step, paused.
   */
  phase: z.string().min(1),
  phaseStartedAt: timeSchema,
  /** Phases already left, in order, with their durations; copied into the history entry. */
  phases: z.array(phaseTimingSchema),
  startedAt: timeSchema,
  pid: z.number().int().positive(),
  host: z.string().min(1),
  canary: canarySchema.optional(),
  // ---- the journal (schema 2): what the next command needs to finish or undo this operation after a kill
  /** Stop the old color after the drain instead of keeping it as standby (deploy --stop-old). */
  stopOld: z.boolean().default(false),
  /**
   * The standby that this operation's color held when it started. Its containers are
   * parked (stopped and renamed, see park-containers.ts) rather than removed, so that a
   * failed or interrupted operation can bring the rollback target back as it was.
   */
  previousStandby: standbySchema.nullable().default(null),
  /** The parked containers: id and the name to give back. Recorded before they are parked. */
  parked: z.array(z.object({ id: z.string().min(1), name: z.string().min(1) })).default([]),
  ...imagesField,
  ...fromImagesField,
  ...migrationField,
});

export const historyEntrySchema = z.object({
  id: z.string().min(1),
  kind: operationKindSchema,
  /** The version and color the operation moved traffic to (or tried to). */
  version: versionSchema,
  color: colorSchema,
  fromVersion: versionSchema.nullable(),
  fromColor: colorSchema.nullable(),
  startedAt: timeSchema,
  finishedAt: timeSchema,
  outcome: outcomeSchema,
  reason: z.string().optional(),
  phases: z.array(phaseTimingSchema).optional(),
  /** Set when the operation's own process died and another command finished or undid it. */
  recovered: z
    .object({
      /** The command that did it (`deploy v3`, `reconcile`, ...). */
      by: z.string().min(1),
      /** The phase the dead process had recorded last. */
      phase: z.string().min(1),
      direction: z.enum(['finished', 'undone']),
    })
    .optional(),
  ...imagesField,
  ...fromImagesField,
  ...migrationField,
});

/**
 * The upstream dials Caddy was pointed at for one service, per color, and the
 * admin endpoint of the Caddy instance that holds them. Kept so that `status`
 * can detect drift; keyed per service so that services behind different Caddy
 * instances (or containers on different Docker hosts) fit later.
 */
export const serviceTargetsSchema = z.object({
  caddyAdmin: z.string().min(1),
  blue: z.array(z.string().min(1)),
  green: z.array(z.string().min(1)),
});

export const stateSchema = z.object({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION),
  /** Compose project name, so a state file copied to another project is noticed. */
  project: z.string().min(1),
  /** null: never deployed by cutover, or back in plain Compose mode after `reset`. */
  active: activeSchema.nullable(),
  standby: standbySchema.nullable(),
  operation: operationSchema.nullable(),
  /** Oldest first. */
  history: z.array(historyEntrySchema),
  targets: z.record(z.string(), serviceTargetsSchema).default({}),
  /**
   * The Caddy instances the last finished operation switched as one, when
   * there were several (docs/multi-instance.md); absent for one Caddy. Optional,
   * so older state files read as they are.
   */
  caddyAdmins: z.array(z.string().min(1)).optional(),
  /**
   * `swarm` when the colors run as Swarm services (`--engine swarm`,
   * docs/swarm.md); absent for Compose. Optional, so older files read as they are.
   */
  engine: z.enum(['compose', 'swarm']).optional(),
  /** On Swarm: the Swarm services of each color that has them (`<project>_<service>-<color>`). */
  swarmServices: z.object({ blue: z.array(z.string().min(1)).optional(), green: z.array(z.string().min(1)).optional() }).optional(),
});

export type OperationKind = z.infer<typeof operationKindSchema>;
export type Outcome = z.infer<typeof outcomeSchema>;
export type PhaseTiming = z.infer<typeof phaseTimingSchema>;
export type Active = z.infer<typeof activeSchema>;
export type Standby = z.infer<typeof standbySchema>;
export type Canary = z.infer<typeof canarySchema>;
export type Operation = z.infer<typeof operationSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type ServiceTargets = z.infer<typeof serviceTargetsSchema>;
export type State = z.infer<typeof stateSchema>;
export type ImageIdentity = z.infer<typeof imageIdentitySchema>;
export type ServiceImages = z.infer<typeof serviceImagesSchema>;
export type Migration = z.infer<typeof migrationSchema>;
