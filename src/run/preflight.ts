import type { ProjectConfig } from '../config/model.js';
import type { RecoveringCommand } from '../domain/plan-recovery.js';
import { hasPreviewRoutes } from '../domain/rewrite-caddy-config.js';
import { driftCause, trafficDrifts } from '../domain/status-drift.js';
import { DriftError } from '../errors.js';
import { acquireLock, type Lock } from '../state/deploy-lock.js';
import { displayPath, stateFilePath } from '../state/state-paths.js';
import { observeProject, type Observation } from './observe-project.js';
import { reconcileTraffic } from './reconcile-traffic.js';
import { recoverInterrupted } from './recover-interrupted.js';
import type { Runtime } from './runtime.js';
import { formatDuration } from '../domain/format-duration.js';
import { hasTrafficLog } from '../domain/traffic-log-config.js';
import { removeTrafficLog } from './remove-traffic-log.js';

export interface PreflightOptions {
  /** The command in words, for the lock and the history: `deploy v3`. */
  command: string;
  dryRun: boolean;
  /** What an interrupted canary becomes: promote finishes it, every other command undoes it. */
  role?: RecoveringCommand;
  signal?: AbortSignal;
  beforeObserve?: () => Promise<unknown>;
  /**
   * Which drift is put right first: `restart` (default) only a Caddy that went
   * back to its own config, and a change made through the admin API refuses;
   * `any` both (cutover reconcile).
   */
  reconcile?: 'restart' | 'any';
}

function describeCause(cause: 'caddy-reloaded' | 'outside-change'): string {
  return cause === 'caddy-reloaded' ? 'Caddy went back to its own config (a restart or caddy reload)' : "Caddy's config was changed outside cutover";
}

function where(observation: Observation): string {
  const live = observation.traffic.live;
  return live.kind === 'color' ? `traffic is on ${live.color}` : live.kind === 'plain' ? 'Caddy uses the plain Compose names' : `traffic is mixed (${live.detail})`;
}

/**
 * What every changing command does first, so that it starts from one live
 * color and a consistent state file:
 * 1. take the lock (not for a dry run);
 * 2. read Docker, Caddy and the state file;
 * 3. settle an operation whose process died (finish or undo it, see recover-interrupted.ts);
 * 4. when Caddy went back to its own config (a restart or `caddy reload` dropped
 *    cutover's switch), put the recorded color back first and say so; when someone
 *    changed Caddy through the admin API, refuse and name `cutover reconcile`.
 * The caller releases the lock.
 */
export async function preflight(runtime: Runtime, project: ProjectConfig, options: PreflightOptions): Promise<{ lock: Lock | undefined; observation: Observation }> {
  const started = performance.now();
  const { logger } = runtime;
  logger.info({ event: 'phase.start', phase: 'preflight' }, `${options.command}: check the lock, Docker, Caddy and the state file...`);
  const lock = options.dryRun ? undefined : await acquireLock(runtime.stateDir, { command: options.command });
  try {
    if (lock?.replacedStale) {
      logger.warn({ event: 'lock.stale', holder: lock.replacedStale }, `took over a stale lock of pid ${lock.replacedStale.pid} on ${lock.replacedStale.host} (that process is gone)`);
    }
    await options.beforeObserve?.();
    let observation = await observeProject(runtime, project);
    const interrupted = observation.state?.operation ?? null;
    if (interrupted !== null) {
      if (lock === undefined) {
        logger.warn({ event: 'recovery.pending', operation: interrupted.id, phase: interrupted.phase }, `an interrupted ${interrupted.kind} to ${interrupted.toVersion} (phase ${interrupted.phase}) is recorded; the next command (or cutover reconcile) settles it first`);
      } else {
        await recoverInterrupted(runtime, project, observation, { command: options.command, role: options.role ?? 'other' }, options.signal ?? new AbortController().signal);
        observation = await observeProject(runtime, project);
      }
    }
    const active = observation.state?.active ?? null;
    const stateFile = displayPath(stateFilePath(runtime.stateDir));
    if (active !== null && trafficDrifts(active, observation.traffic.live, observation.state?.operation?.canary !== undefined)) {
      // The instances that drift decide the cause (any of them changed through the admin API refuses);
      // one restarted from its Caddyfile is put back alone: the others already do what is recorded.
      const drifting = observation.caddyInstances.filter((each) => trafficDrifts(active, each.traffic.live, observation.state?.operation?.canary !== undefined));
      const cause = driftCause((drifting.length > 0 ? drifting : observation.caddyInstances).some((each) => hasPreviewRoutes(each.config)));
      if (cause === 'outside-change' && options.reconcile !== 'any') {
        throw new DriftError(`${stateFile} says ${active.color} (${active.version}) is active, but Caddy's config was changed outside cutover: ${where(observation)}`, {
          hint: `run cutover reconcile to point Caddy back at ${active.color}, or cutover status to see the difference`,
        });
      }
      if (lock === undefined) {
        logger.warn({ event: 'reconcile.pending', color: active.color, cause }, `${describeCause(cause)} (${where(observation)}); the command would first point it back at ${active.color} (${active.version}), as cutover reconcile does`);
      } else {
        logger.warn({ event: 'reconcile.start', color: active.color, version: active.version, cause }, `${describeCause(cause)} (${where(observation)}): pointing it back at ${active.color} (${active.version}) first, as cutover reconcile does`);
        await reconcileTraffic(runtime, project, observation, active);
        observation = await observeProject(runtime, project);
      }
    }
    // A canary that died leaves Caddy logging every proxied request at DEBUG: out, in a change of its own.
    if (observation.caddyInstances.some((each) => hasTrafficLog(each.config)) && (observation.state?.operation ?? null) === null) {
      if (lock === undefined) {
        logger.warn({ event: 'traffic-log.pending' }, "Caddy still has cutover's real-traffic log, left by a canary that did not finish; the command would first remove it, as cutover reconcile does");
      } else if (await removeTrafficLog(runtime)) {
        logger.warn({ event: 'traffic-log.removed' }, "removed cutover's real-traffic log (DEBUG lines of every proxied request), left in Caddy by a canary that did not finish");
        observation = await observeProject(runtime, project);
      }
    }
    const ms = Math.round(performance.now() - started);
    logger.info({ event: 'phase.done', phase: 'preflight', ms }, `preflight: ${where(observation)}; done in ${formatDuration(ms)}`);
    return { lock, observation };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}
