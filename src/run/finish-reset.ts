import type { ProjectConfig } from '../config/model.js';
import type { JsonValue } from '../domain/caddy-json.js';
import { colorDials } from '../domain/color-dials.js';
import { formatDuration } from '../domain/format-duration.js';
import { CutoverError } from '../errors.js';
import type { HistoryEntry } from '../state/state-schema.js';
import { enterPhase, finishOperation } from '../state/state-transitions.js';
import { drainUpstreams } from './drain-upstreams.js';
import { colorInstances, trafficOf } from './observe-project.js';
import type { Runtime } from './runtime.js';
import { stopAndRemove } from './start-color.js';
import type { StateKeeper } from './state-keeper.js';
import { switchAllToPlain } from './switch-all.js';

export interface FinishResetOptions {
  signal: AbortSignal;
  /** Set when another command finishes the reset after its own process died. */
  recovered?: HistoryEntry['recovered'];
  reason?: string;
}

export interface FinishResetResult {
  drained: boolean;
  drainMs: number;
  removed: string[];
}

/**
 * The one way a reset ends once Caddy sends every service to the plain
 * services, in its own process and in the next command after a kill: drain the
 * color it left by Caddy's in-flight counts (at most DRAIN_TIMEOUT), remove
 * every blue and green container (parked ones too), drop the preview routes
 * that kept that color counted (a change that moves no traffic), and record
 * plain Compose mode. Each part is idempotent and its phase is journaled
 * first, so a kill anywhere in here is finished again by the next command.
 */
export async function finishReset(runtime: Runtime, project: ProjectConfig, journal: StateKeeper, options: FinishResetOptions): Promise<FinishResetResult> {
  const { logger } = runtime;
  const operation = journal.state.operation;
  if (operation === null) throw new Error('bug: finishReset called with no operation in progress');
  const from = operation.fromColor;
  const colored = new Set(project.colored.map((s) => s.name));

  const containers = await runtime.docker.listContainers({ project: project.projectName });
  const instances = colorInstances(containers);
  const view = trafficOf(runtime, (await runtime.admin.readConfig('/config/')).value as JsonValue, project.colored, instances);
  const oldDials = from === null ? [] : [...new Set(colorDials(view, instances).flatMap((d) => d.byColor[from]))];

  let drained = true;
  let drainMs = 0;
  if (from !== null && oldDials.length > 0) {
    await journal.update((s) => enterPhase(s, 'draining', runtime.now()));
    logger.info({ event: 'phase.start', phase: 'draining' }, `drain ${from}...`);
    try {
      const drain = await drainUpstreams(runtime.admin, oldDials, { timeoutMs: project.settings.drainTimeoutMs, logger, signal: options.signal });
      drained = drain.drained;
      drainMs = drain.ms;
      if (drain.drained) logger.info({ event: 'phase.done', phase: 'draining', ms: drain.ms }, `drain ${from}: done in ${formatDuration(drain.ms)}`);
      else logger.warn({ event: 'drain.timeout', remaining: drain.remaining, ms: drain.ms }, `drain ${from}: DRAIN_TIMEOUT reached with requests still in flight: ${JSON.stringify(drain.remaining)}; they get each container's stop_grace_period`);
    } catch (error) {
      drained = false;
      logger.warn({ event: 'drain.interrupted', err: String(error) }, `drain stopped early: ${error instanceof CutoverError ? error.message : String(error)}`);
    }
  }

  await journal.update((s) => enterPhase(s, 'removing', runtime.now()));
  const colors = containers.filter((c) => c.color !== undefined && colored.has(c.service));
  if (colors.length > 0) {
    logger.info({ event: 'reset.removing', containers: colors.map((c) => c.name) }, `remove ${colors.map((c) => c.name).join(', ')}...`);
    await stopAndRemove(runtime, project, colors);
  }
  await switchAllToPlain(runtime, project, 'keeps the plain services, without the preview routes of the removed colors');

  await journal.update((s) =>
    finishOperation(
      s,
      { outcome: 'succeeded', ...(options.reason === undefined ? {} : { reason: options.reason }), ...(options.recovered === undefined ? {} : { recovered: options.recovered }) },
      runtime.now(),
    ),
  );
  return { drained, drainMs, removed: colors.map((c) => c.name) };
}
