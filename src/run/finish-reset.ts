import type { ProjectConfig } from '../config/model.js';
import type { HistoryEntry } from '../state/state-schema.js';
import { enterPhase, finishOperation } from '../state/state-transitions.js';
import { drainOldColor } from './drain-old-color.js';
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
  const { drained, drainMs } = await drainOldColor(runtime, project, journal, { from, containers, signal: options.signal, afterTimeout: "they get each container's stop_grace_period" });

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
