import type { ProjectConfig } from '../config/model.js';
import { DriftError } from '../errors.js';
import { acquireLock, type Lock } from '../state/deploy-lock.js';
import { displayPath, stateFilePath } from '../state/state-paths.js';
import { observeProject, type Observation } from './observe-project.js';
import type { Runtime } from './runtime.js';
import { formatMs } from './run-steps.js';

/** Checks that the state file agrees with Caddy, which is the truth about where traffic goes. */
function checkDrift(observation: Observation, stateFile: string): void {
  const live = observation.traffic.live;
  const recorded = observation.state?.active?.color;
  if (recorded === undefined || live.kind !== 'color' || live.color === recorded) return;
  throw new DriftError(`${stateFile} says ${recorded} is active, but Caddy sends traffic to ${live.color}`, {
    hint: 'someone changed Caddy outside cutover. Check with cutover status; point Caddy back at the recorded color, or move the state file aside to let cutover adopt what Caddy does',
  });
}

/**
 * What every changing command does first: take the lock (not for a dry run),
 * read Docker, Caddy and the state file, and refuse when they disagree.
 * The caller releases the lock.
 */
export async function preflight(
  runtime: Runtime,
  project: ProjectConfig,
  options: { command: string; dryRun: boolean; beforeObserve?: () => Promise<unknown> },
): Promise<{ lock: Lock | undefined; observation: Observation }> {
  const started = performance.now();
  runtime.logger.info({ event: 'phase.start', phase: 'preflight' }, `${options.command}: check the lock, Docker, Caddy and the state file...`);
  const lock = options.dryRun ? undefined : await acquireLock(runtime.stateDir, { command: options.command });
  try {
    if (lock?.replacedStale) {
      runtime.logger.warn({ event: 'lock.stale', holder: lock.replacedStale }, `took over a stale lock of pid ${lock.replacedStale.pid} on ${lock.replacedStale.host} (that process is gone)`);
    }
    await options.beforeObserve?.();
    const observation = await observeProject(runtime, project);
    checkDrift(observation, displayPath(stateFilePath(runtime.stateDir)));
    const ms = Math.round(performance.now() - started);
    const live = observation.traffic.live;
    const where = live.kind === 'color' ? `traffic is on ${live.color}` : live.kind === 'plain' ? 'Caddy uses the plain Compose names' : `traffic is mixed (${live.detail})`;
    runtime.logger.info({ event: 'phase.done', phase: 'preflight', ms }, `preflight: ${where}; done in ${formatMs(ms)}`);
    return { lock, observation };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}
