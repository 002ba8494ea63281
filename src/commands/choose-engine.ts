import path from 'node:path';
import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { loadProject } from '../config/load-project.js';
import { decideEngine, type EngineDecision, type EngineFacts } from '../domain/decide-engine.js';
import { ENGINE_BOUND_COMMANDS, recordedEngine } from '../domain/engine-mismatch.js';
import { createLogger, silentLogger } from '../log.js';
import { stateDirOf } from '../state/state-paths.js';
import { readState } from '../state/state-store.js';
import type { GlobalOptions } from './command-context.js';
import { type Engine, engineSource, resolveEngine } from './resolve-engine.js';

/** How long detection waits for `docker info`: an engine that hangs is left to the command, which reports it. */
const DETECT_TIMEOUT_MS = 3_000;

/** The networks the colored services join, by engine name, with their scopes; undefined when the compose files cannot be read (the command reports that). */
async function colorNetworks(swarm: SwarmServices, projectDir: string, env: Record<string, string | undefined>): Promise<EngineFacts['networks'] | undefined> {
  const project = await loadProject({ projectDir, env, variables: { VERSION: 'unknown' } }).catch(() => undefined);
  if (project === undefined) return undefined;
  const names = [...new Set(project.colored.flatMap((s) => [...s.byColor.blue.networks, ...s.byColor.green.networks].map((n) => project.networks[n.key]?.name ?? n.key)))];
  return Promise.all(names.map(async (name) => ({ name, scope: await swarm.networkScope(name) })));
}

/**
 * The engine of this run: `--engine`, else CUTOVER_ENGINE (resolve-engine.ts);
 * else, for a command that acts on the colors, what the state file records,
 * else detected (decide-engine.ts: an active Swarm manager and the colored
 * services' networks with scope swarm), said in one log line; else Compose.
 * A Docker engine that does not answer is Compose: the command then reports
 * it in its own way. `decision` is set when the engine was not given.
 */
export async function chooseEngine(command: string, options: GlobalOptions, env: Record<string, string | undefined> = process.env): Promise<{ engine: Engine; decision?: EngineDecision }> {
  if (engineSource(options.engine, env) !== 'default' || !ENGINE_BOUND_COMMANDS.has(command)) return { engine: resolveEngine(options.engine, env) };
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  const recorded = recordedEngine(await readState(stateDirOf(projectDir)).catch(() => null));
  let facts: EngineFacts = { recorded, swarm: undefined, networks: [] };
  if (recorded === undefined) {
    const swarm = SwarmServices.fromEnvironment(silentLogger(), env as NodeJS.ProcessEnv);
    const info = await swarm.info(AbortSignal.timeout(DETECT_TIMEOUT_MS)).catch(() => undefined);
    facts = { ...facts, swarm: info };
    if (info?.localNodeState === 'active' && info.controlAvailable) {
      const networks = await colorNetworks(swarm, projectDir, env).catch(() => undefined);
      if (networks === undefined) return { engine: 'compose' };
      facts = { ...facts, networks };
    }
  }
  const decision = decideEngine(facts);
  if (decision.source === 'detected') createLogger(options.logFormat).info({ event: 'engine.detected', engine: decision.engine, reason: decision.reason }, `engine: ${decision.engine} (detected: ${decision.reason}; --engine compose overrides)`);
  return { engine: decision.engine, decision };
}
