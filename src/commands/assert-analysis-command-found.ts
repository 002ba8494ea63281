import { UsageError } from '../errors.js';
import { findExecutable } from '../run/find-executable.js';

/** A check that cannot run is refused before anything changes, not found out at the first canary step. */
export function assertAnalysisCommandFound(program: string, projectDir: string): void {
  if (findExecutable(program, projectDir) !== undefined) return;
  throw new UsageError(`--analysis-cmd: ${program} is not an executable file${program.includes('/') ? ` (relative to ${projectDir})` : ' on PATH'}`, {
    hint: 'name an installed program or an executable script; it runs in the project directory',
  });
}
