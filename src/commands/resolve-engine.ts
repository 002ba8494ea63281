import type { EngineSource } from '../domain/engine-mismatch.js';
import { UsageError } from '../errors.js';

/** What runs a color: Compose containers (the default) or Swarm services (docs/swarm.md). */
export type Engine = 'compose' | 'swarm';

/** The commands that have a Swarm path so far; every other one refuses on Swarm before it does anything. */
export const SWARM_COMMANDS: ReadonlySet<string> = new Set(['deploy', 'rollback', 'status', 'cleanup', 'reconcile', 'promote', 'abort', 'config', 'help', 'init']);

/** The engine as given and where it came from: `--engine`, else CUTOVER_ENGINE (unless empty), else compose. */
function givenEngine(flag: string | undefined, env: Record<string, string | undefined>): { value: string; source: EngineSource } {
  if (flag !== undefined) return { value: flag, source: 'flag' };
  if (env.CUTOVER_ENGINE !== undefined && env.CUTOVER_ENGINE !== '') return { value: env.CUTOVER_ENGINE, source: 'env' };
  return { value: 'compose', source: 'default' };
}

/** Where this run's engine came from, for messages that name what to change. */
export function engineSource(flag: string | undefined, env: Record<string, string | undefined> = process.env): EngineSource {
  return givenEngine(flag, env).source;
}

/** `--engine`, else CUTOVER_ENGINE, else compose. A value that is neither is a usage error (exit 2). */
export function resolveEngine(flag: string | undefined, env: Record<string, string | undefined> = process.env): Engine {
  const { value } = givenEngine(flag, env);
  if (value === 'compose' || value === 'swarm') return value;
  const where = flag === undefined ? `CUTOVER_ENGINE=${value}` : `--engine ${value}`;
  throw new UsageError(`${where} is not an engine: use compose or swarm`, { hint: 'cutover --engine swarm deploy <version>, or leave it out for Compose' });
}

/** Refuses, before anything happens, a command that has no Swarm path yet. */
export function assertSwarmCommand(command: string, deployFlags: Record<string, unknown> = {}): void {
  if (!SWARM_COMMANDS.has(command)) throw new UsageError(`cutover ${command} is not supported with --engine swarm yet`, { hint: 'see docs/swarm.md for what runs on Swarm' });
  const flags: Array<[string, string]> =
    command === 'deploy'
      ? [['bake', '--bake'], ['keepFailed', '--keep-failed'], ['migrate', '--migrate'], ['verifyUrl', '--verify-url'], ['migrateService', '--migrate-service']]
      : command === 'rollback'
        ? [['dryRun', '--dry-run'], ['verifyUrl', '--verify-url']]
        : [];
  for (const [key, flag] of flags) {
    if (deployFlags[key] !== undefined && deployFlags[key] !== false) throw new UsageError(`${command} ${flag} is not supported with --engine swarm yet`, { hint: `${command} without it; see docs/swarm.md` });
  }
}
