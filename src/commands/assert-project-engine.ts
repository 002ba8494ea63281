import path from 'node:path';
import { engineMismatch } from '../domain/engine-mismatch.js';
import { StateInvalidError, UsageError } from '../errors.js';
import { displayPath, stateDirOf, stateFilePath } from '../state/state-paths.js';
import { readState } from '../state/state-store.js';
import { type Engine, engineSource } from './resolve-engine.js';

/**
 * Refuses (exit 2, nothing changed) a command run with the other engine than
 * the one the project's state file records (engine-mismatch.ts). Called once
 * for every command, before it does anything. A state file that cannot be read
 * is left to the command, which reports it in its own way.
 */
export async function assertProjectEngine(command: string, engine: Engine, options: { projectDir?: string; engine?: string }, env: Record<string, string | undefined> = process.env): Promise<void> {
  const stateDir = stateDirOf(path.resolve(options.projectDir ?? process.cwd()));
  let state: Awaited<ReturnType<typeof readState>>;
  try {
    state = await readState(stateDir);
  } catch (error) {
    if (error instanceof StateInvalidError) return;
    throw error;
  }
  const refusal = engineMismatch({ command, engine, source: engineSource(options.engine, env), state, stateFile: displayPath(stateFilePath(stateDir)) });
  if (refusal !== undefined) throw new UsageError(refusal.message, { hint: refusal.hint });
}
