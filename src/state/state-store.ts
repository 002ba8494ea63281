import { readFile } from 'node:fs/promises';
import { StateInvalidError } from '../errors.js';
import { STATE_INVALID_HINT, migrateState } from './migrate-state.js';
import { displayPath, stateFilePath } from './state-paths.js';
import { stateSchema, type State } from './state-schema.js';
import { replaceFileAtomically } from './write-file-durably.js';

/**
 * Reads `<dir>/cutover-state.json`. null when there is none (never deployed).
 * Unreadable, corrupt or invalid files throw StateInvalidError with one line
 * naming the file and the first problem; a file of an older schema version is
 * migrated in memory (it is rewritten in the new format on the next write).
 */
export async function readState(dir: string): Promise<State | null> {
  const file = stateFilePath(dir);
  const shown = displayPath(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new StateInvalidError(`${shown} cannot be read (${code ?? String(error)})`, { hint: STATE_INVALID_HINT, cause: error });
  }

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // V8's message may quote a piece of the file; keep the message on one line.
    const detail = (error as Error).message.replace(/\s+/g, ' ');
    throw new StateInvalidError(`${shown} is not valid JSON: ${detail}`, { hint: STATE_INVALID_HINT, cause: error });
  }
  return migrateState(raw, shown);
}

/** Replaces the state file atomically (see replaceFileAtomically): a reader never sees a partial file. */
export async function writeState(dir: string, state: State): Promise<void> {
  // Validate first: never write a file that readState would refuse. Failing here is a bug.
  await replaceFileAtomically(stateFilePath(dir), `${JSON.stringify(stateSchema.parse(state), null, 2)}\n`);
}
