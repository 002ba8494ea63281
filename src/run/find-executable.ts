import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `program` would be run from: a name with a slash relative to `cwd`,
 * else the first executable file of that name on PATH. Undefined when there is none.
 */
export function findExecutable(program: string, cwd: string, pathVariable: string = process.env.PATH ?? ''): string | undefined {
  const candidates = program.includes('/') ? [path.resolve(cwd, program)] : pathVariable.split(path.delimiter).filter((dir) => dir !== '').map((dir) => path.join(dir, program));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}
