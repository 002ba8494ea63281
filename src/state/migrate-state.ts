import { z } from 'zod';
import { StateInvalidError } from '../errors.js';
import { STATE_SCHEMA_VERSION, stateSchema, type State } from './state-schema.js';

export const STATE_INVALID_HINT = 'fix or move it aside; `cutover status` shows what Caddy really does';

type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/**
 * One step per old schema version N, turning a version-N object into version
 * N+1. Steps see unvalidated data; the result is validated once, against the
 * current schema, at the end.
 */
const MIGRATIONS: Readonly<Record<number, Migration>> = {
  // 2 adds the journal fields of an operation (stopOld, previousStandby, parked: all defaulted
  // by the schema) and the `interrupted` outcome; nothing of version 1 changes meaning.
  // It also adds image identity: `images` / `fromImages` are optional, so a v1 file is a valid v2 file
  // without them; its releases are known by tag only until the next deploy records identities.
  1: (v1) => ({ ...v1, schemaVersion: 2 }),
};

const headSchema = z.looseObject({ schemaVersion: z.number().int().positive() });

/**
 * Turns the parsed JSON of a state file of any known version into the current
 * State, or throws StateInvalidError naming `file` and the first problem.
 */
export function migrateState(raw: unknown, file = 'the state file'): State {
  const head = headSchema.safeParse(raw);
  if (!head.success) throw invalidAt(file, head.error);

  const { schemaVersion } = head.data;
  if (schemaVersion > STATE_SCHEMA_VERSION) {
    throw new StateInvalidError(
      `${file} was written by a newer cutover (schema version ${schemaVersion}, this one reads up to ${STATE_SCHEMA_VERSION}); upgrade`,
      { hint: 'upgrade cutover; an older one must not rewrite this file, it would drop what it does not know' },
    );
  }

  let current: Record<string, unknown> = head.data;
  for (let version = schemaVersion; version < STATE_SCHEMA_VERSION; version += 1) {
    const step = MIGRATIONS[version];
    if (step === undefined) throw new Error(`bug: no migration of the state file from schema version ${version}`);
    current = step(current);
  }

  const parsed = stateSchema.safeParse(current);
  if (!parsed.success) throw invalidAt(file, parsed.error);
  return parsed.data;
}

/** One line: the file, the path of the first problem, zod's message for it. */
function invalidAt(file: string, error: z.ZodError): StateInvalidError {
  const issue = error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.map(String).join('.')}`;
  return new StateInvalidError(`${file} is invalid${path}: ${issue?.message ?? 'unknown problem'}`, {
    hint: STATE_INVALID_HINT,
    cause: error,
  });
}
