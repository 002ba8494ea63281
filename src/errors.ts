/**
 * Typed errors. Every failure that cutover expects is one of these classes; the
 * CLI's single top-level handler turns them into a one-line message, a hint and
 * an exit code. Anything else is a bug and is reported as one.
 *
 * Exit codes are part of the CLI's contract (scripts branch on them):
 *   1  generic failure of an operation (deploy aborted, verification failed)
 *   2  usage: a bad flag, argument or environment variable
 *   3  invalid configuration (compose files, .env, Caddy config shape)
 *   4  Caddy's admin API unreachable
 *   5  Caddy rejected a change
 *   6  Caddy's config changed under us (412) and re-planning did not converge
 *   7  Docker engine unreachable
 *   8  Docker refused an operation (create, start, pull, ...)
 *   9  new color never became healthy
 *  10  another cutover holds the lock
 *  11  the state file is unreadable or invalid
 *  12  a rollback or undo failed: the system may be half-changed, read the hint
 *  13  drift: Caddy and the state file disagree, or the active color is unhealthy
 *  14  a canary was aborted: its analysis failed, or cutover abort was run
 *  15  the migration (deploy --migrate) failed: traffic untouched, the new color not started
 *  70  a bug in cutover
 */

export interface CutoverErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
}

export abstract class CutoverError extends Error {
  abstract readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: CutoverErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

export class OperationFailedError extends CutoverError {
  readonly exitCode = 1;
}

export class UsageError extends CutoverError {
  readonly exitCode = 2;
}

/** One problem found while loading configuration: where it is and what is wrong. */
export interface ConfigProblem {
  /** File the problem is in, relative to the project directory when possible. */
  file: string;
  /** Dotted path inside the file, e.g. `services.platform.healthcheck.interval`; empty for the whole file. */
  path: string;
  message: string;
}

export function formatConfigProblem(problem: ConfigProblem): string {
  const where = problem.path === '' ? problem.file : `${problem.file}: ${problem.path}`;
  return `${where}: ${problem.message}`;
}

/** One line for several problems: the first, and how many more there are. */
export function summarizeConfigProblems(problems: readonly ConfigProblem[]): string {
  const first = problems[0];
  const head = first === undefined ? 'invalid configuration' : formatConfigProblem(first);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return `${head}${more}`;
}

/** All problems of a configuration at once, so the user fixes them in one go. */
export class ConfigInvalidError extends CutoverError {
  readonly exitCode = 3;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options: CutoverErrorOptions = {}) {
    super(summarizeConfigProblems(problems), options);
    this.problems = problems;
  }
}

export class CaddyUnavailableError extends CutoverError {
  readonly exitCode = 4;
  /** A change was sent and its answer lost after it may have reached Caddy (reset, timeout): it may have been applied. */
  changeMayHaveApplied = false;
}

/**
 * A switch was sent, its answer was lost, and Caddy could not be read again to
 * tell whether it was applied. Nothing may be undone on a guess (removing the
 * new color while Caddy sends traffic to it would be an outage): the journal
 * keeps the operation open for the next command, which decides by Caddy.
 */
export class SwitchOutcomeUnknownError extends CaddyUnavailableError {}

/** Caddy answered a change with an error; `caddyMessage` is Caddy's own text. */
export class CaddyRejectedError extends CutoverError {
  readonly exitCode = 5;
  readonly status: number;
  readonly caddyMessage: string;

  constructor(status: number, caddyMessage: string, context: string, options: CutoverErrorOptions = {}) {
    super(`Caddy rejected ${context} (HTTP ${status}): ${caddyMessage}`, options);
    this.status = status;
    this.caddyMessage = caddyMessage;
  }
}

/** 412: the config changed between our read and our write. Re-read and re-plan; never overwrite. */
export class CaddyConflictError extends CutoverError {
  readonly exitCode = 6;
}

export class DockerUnavailableError extends CutoverError {
  readonly exitCode = 7;
}

export class DockerOperationError extends CutoverError {
  readonly exitCode = 8;
}

export class HealthTimeoutError extends CutoverError {
  readonly exitCode = 9;
}

export class LockHeldError extends CutoverError {
  readonly exitCode = 10;
}

export class StateInvalidError extends CutoverError {
  readonly exitCode = 11;
}

export class RollbackFailedError extends CutoverError {
  readonly exitCode = 12;
}

export class DriftError extends CutoverError {
  readonly exitCode = 13;
}

/** The canary went back to the old color: the analysis failed, or someone ran `cutover abort`. */
export class CanaryAbortedError extends CutoverError {
  readonly exitCode = 14;
}

/** The migration of a deploy exited non-zero: traffic was never touched and the new color never started. */
export class MigrationFailedError extends CutoverError {
  readonly exitCode = 15;
}

export const BUG_EXIT_CODE = 70;
