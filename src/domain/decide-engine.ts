/** What runs a project's colors (the values of `--engine`). */
type Engine = 'compose' | 'swarm';

/** The facts the engine is decided from when neither `--engine` nor CUTOVER_ENGINE names one. */
export interface EngineFacts {
  /** The engine the state file binds the project to (engine-mismatch.ts: recordedEngine); undefined: none yet. */
  recorded: Engine | undefined;
  /** `docker info`'s Swarm part; undefined when Docker did not answer. */
  swarm: { localNodeState: string; controlAvailable: boolean } | undefined;
  /** Each network the colored services join, by its engine name, with its scope (undefined: it does not exist). Read only on a Swarm manager. */
  networks: ReadonlyArray<{ name: string; scope: string | undefined }>;
}

export interface EngineDecision {
  engine: Engine;
  /** `state`: the state file decided; `detected`: the engine and the network did; `default`: nothing pointed at Swarm. */
  source: 'state' | 'detected' | 'default';
  /** Why, in words for the log line. */
  reason: string;
}

/**
 * Pure: the engine of a run that names none (docs/swarm.md, "detected"). A
 * state file that records the engine decides first (so a project never
 * changes engines by itself). Otherwise Swarm exactly when the engine is an
 * active Swarm manager (`docker info`: `LocalNodeState: active`,
 * `ControlAvailable: true`) and every network the colored services join exists
 * with scope `swarm` (the stack was deployed); anything else is Compose, the
 * default.
 */
export function decideEngine(facts: EngineFacts): EngineDecision {
  if (facts.recorded !== undefined) return { engine: facts.recorded, source: 'state', reason: `the state file records the project on ${facts.recorded === 'swarm' ? 'Swarm' : 'Compose containers'}` };
  const compose = (reason: string): EngineDecision => ({ engine: 'compose', source: 'default', reason });
  if (facts.swarm === undefined) return compose('Docker did not answer the Swarm question');
  if (facts.swarm.localNodeState !== 'active') return compose(`the Docker engine is not in a Swarm (${facts.swarm.localNodeState})`);
  if (!facts.swarm.controlAvailable) return compose('the Docker engine is a Swarm worker, not a manager');
  if (facts.networks.length === 0) return compose('the colored services join no network');
  const missing = facts.networks.filter((n) => n.scope === undefined).map((n) => n.name);
  if (missing.length > 0) return compose(`network ${missing.join(', ')} does not exist (no stack deployed)`);
  const local = facts.networks.filter((n) => n.scope !== 'swarm');
  if (local.length > 0) return compose(`network ${local.map((n) => `${n.name} has scope ${n.scope}`).join(', ')}`);
  const names = facts.networks.map((n) => n.name).join(', ');
  return { engine: 'swarm', source: 'detected', reason: `the Docker engine is a Swarm manager and network ${names} has scope swarm` };
}
