import os from 'node:os';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import { OperationFailedError } from '../errors.js';
import { emptyState, enterPhase, finishOperation, startOperation } from '../state/state-transitions.js';
import { loadProjectForInspection } from './load-project-for-inspection.js';
import { preflight } from './preflight.js';
import type { Runtime } from './runtime.js';
import { stopAndRemove } from './start-color.js';
import { StateKeeper } from './state-keeper.js';

export interface CleanupResult {
  /** The color that serves and is kept. */
  active: string;
  removed: ServiceContainer[];
}

/**
 * `cutover cleanup`: removes the containers of the color Caddy does not send
 * traffic to (the standby, or what a failed deploy left), each stopped with
 * its service's grace period. The active color is never touched: Caddy, not
 * the state file, says which one that is. Journaled like every operation: a
 * cleanup killed halfway is done again by the next command.
 */
export async function cleanup(runtime: Runtime, options: { dryRun: boolean }): Promise<CleanupResult> {
  const project = await loadProjectForInspection(runtime);
  const { lock, observation } = await preflight(runtime, project, { command: 'cleanup', dryRun: options.dryRun });
  try {
    const live = observation.traffic.live;
    if (live.kind !== 'color') {
      throw new OperationFailedError(
        live.kind === 'plain'
          ? 'Caddy still uses the plain Compose names, so cutover cannot tell which containers serve; nothing was removed'
          : `Caddy sends traffic to both colors (${live.detail}); nothing was removed`,
        { hint: 'cleanup runs when every service is on one color (cutover status shows where traffic goes)' },
      );
    }
    const colored = new Set(project.colored.map((s) => s.name));
    const idle = observation.containers.filter((c) => c.color !== undefined && c.color !== live.color && colored.has(c.service));
    if (options.dryRun || idle.length === 0) return { active: live.color, removed: idle };
    const state = observation.state ?? emptyState(project.projectName);
    const activeVersion = state.active?.version ?? observation.containers.find((c) => c.color === live.color)?.version ?? 'unknown';
    const journal = new StateKeeper(
      runtime.stateDir,
      startOperation(state, { id: `cleanup-${runtime.now().toISOString()}`, kind: 'cleanup', fromColor: null, fromVersion: null, toColor: live.color, toVersion: activeVersion, phase: 'removing', pid: process.pid, host: os.hostname() }, runtime.now()),
    );
    await journal.update((s) => s);
    runtime.logger.info({ event: 'cleanup.start', containers: idle.map((c) => c.name) }, `removing ${idle.map((c) => c.name).join(', ')}...`);
    await stopAndRemove(runtime, project, idle);
    await journal.update((s) => finishOperation(enterPhase(s, 'removing', runtime.now()), { outcome: 'succeeded' }, runtime.now()));
    runtime.logger.info({ event: 'cleanup.removed', containers: idle.map((c) => c.name) }, `removed ${idle.map((c) => `${c.name} (${c.version})`).join(', ')}`);
    return { active: live.color, removed: idle };
  } finally {
    await lock?.release();
  }
}
