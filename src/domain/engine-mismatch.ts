import type { State } from '../state/state-schema.js';

/** What runs a project's colors (the same two values as `--engine`). */
type Engine = NonNullable<State['engine']>;

/**
 * The commands that act on (or report) a project's colors, and so must run with
 * the engine its colors run on. `config`, `init` and `help` read only the
 * compose files and may run with either.
 */
export const ENGINE_BOUND_COMMANDS: ReadonlySet<string> = new Set(['deploy', 'rollback', 'cleanup', 'reset', 'reconcile', 'promote', 'abort', 'logs', 'status']);

/** Where the engine of this run came from: `--engine`, CUTOVER_ENGINE, or neither (compose). */
export type EngineSource = 'flag' | 'env' | 'default';

export interface EngineMismatchInput {
  command: string;
  engine: Engine;
  source: EngineSource;
  /** The state file as read; null when there is none. */
  state: Pick<State, 'engine' | 'active' | 'standby' | 'operation' | 'swarmServices'> | null;
  /** The state file's path as shown to the user. */
  stateFile: string;
}

/** What the state file says runs the colors: swarm, compose, or nothing yet (no color recorded). */
export function recordedEngine(state: EngineMismatchInput['state']): Engine | undefined {
  if (state === null) return undefined;
  // A file binds the project only once it records a color or an open operation: a first deploy that failed
  // (and removed what it started) leaves the project free for either engine. No engine field: Compose mode
  // (or a file from before Swarm existed).
  const swarmServices = (state.swarmServices?.blue?.length ?? 0) + (state.swarmServices?.green?.length ?? 0);
  if (state.active === null && state.standby === null && state.operation === null && swarmServices === 0) return undefined;
  return state.engine === 'swarm' ? 'swarm' : 'compose';
}

/**
 * Pure: the refusal (one line and a hint) when a command would act on a
 * project with the other engine than the one its state file records, so
 * Compose containers and Swarm services never mix on one project; undefined
 * when it may go on. A Compose command on a Swarm project would find no
 * container and start a second copy of every service; a Swarm command on a
 * Compose project would create services beside running containers.
 */
export function engineMismatch(input: EngineMismatchInput): { message: string; hint: string } | undefined {
  if (!ENGINE_BOUND_COMMANDS.has(input.command)) return undefined;
  const recorded = recordedEngine(input.state);
  if (recorded === undefined || recorded === input.engine) return undefined;
  const nothing = 'nothing was changed';
  if (recorded === 'swarm') {
    // Without --engine and CUTOVER_ENGINE the state file decides (choose-engine.ts), so only an engine given names compose here.
    const add = input.source === 'env' ? 'set CUTOVER_ENGINE=swarm (or unset it: the state file decides)' : 'use --engine swarm (or leave --engine out: the state file decides)';
    return {
      message: `this project runs on Swarm (${input.stateFile} records engine swarm): ${add} to run cutover ${input.command} on it`,
      hint: `run the same command as cutover --engine swarm ${input.command} ...; ${nothing}`,
    };
  }
  const active = input.state?.active;
  const what = active == null ? 'records Compose colors' : `records ${active.color} ${active.version} as Compose containers`;
  const drop = input.source === 'env' ? 'unset CUTOVER_ENGINE (or set it to compose)' : 'leave out --engine swarm';
  return {
    message: `this project runs on Compose containers (${input.stateFile} ${what}, no engine swarm): ${drop} to run cutover ${input.command} on it`,
    hint: `moving a project to Swarm starts from cutover reset (back to plain Compose), then cutover --engine swarm deploy; ${nothing}`,
  };
}
