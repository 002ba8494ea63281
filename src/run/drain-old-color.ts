import type { Color, ProjectConfig } from '../config/model.js';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { ServiceColorDials } from '../domain/color-dials.js';
import { formatDuration } from '../domain/format-duration.js';
import { CutoverError } from '../errors.js';
import { enterPhase } from '../state/state-transitions.js';
import { drainUpstreams } from './drain-upstreams.js';
import { readInstanceColorDials } from './read-instance-color-dials.js';
import { caddyInstances, type Runtime } from './runtime.js';
import type { StateKeeper } from './state-keeper.js';

export interface DrainOldColorOptions {
  /** The old (from) color; null when traffic came from the plain services (nothing to drain). */
  from: Color | null;
  /** The project's containers as they run now. */
  containers: readonly ServiceContainer[];
  signal: AbortSignal;
  /** Said after the DRAIN_TIMEOUT warning: what happens to the requests still in flight. */
  afterTimeout?: string;
}

export interface DrainOldColorResult {
  drained: boolean;
  drainMs: number;
  /** Per service, the dials of each color in Caddy's config now (what the state file records). */
  dials: ServiceColorDials[];
}

/**
 * The drain step of every finish path (finishCutover, finishReset): reads the
 * old color's dials from every Caddy instance's config, journals the phase
 * `draining`, and waits until Caddy's in-flight counts for them reach zero, at
 * most DRAIN_TIMEOUT. A drain cut short (timeout, interrupt, Caddy gone) is a
 * warning and `drained: false`, never a failure: the switch already happened.
 */
export async function drainOldColor(runtime: Runtime, project: ProjectConfig, journal: StateKeeper, options: DrainOldColorOptions): Promise<DrainOldColorResult> {
  const { logger } = runtime;
  const { from } = options;
  const admins = caddyInstances(runtime);
  const perInstance = await readInstanceColorDials(runtime, project, options.containers);
  const dials = perInstance[0] ?? [];
  const oldDials = from === null ? [] : [...new Set(perInstance.flatMap((each) => each.flatMap((d) => d.byColor[from])))];
  if (from === null || oldDials.length === 0) return { drained: true, drainMs: 0, dials };

  await journal.update((s) => enterPhase(s, 'draining', runtime.now()));
  logger.info({ event: 'phase.start', phase: 'draining' }, `drain ${from}...`);
  try {
    const drain = await drainUpstreams(admins, oldDials, { timeoutMs: project.settings.drainTimeoutMs, logger, signal: options.signal });
    if (drain.drained) logger.info({ event: 'phase.done', phase: 'draining', ms: drain.ms }, `drain ${from}: done in ${formatDuration(drain.ms)}`);
    else {
      const after = options.afterTimeout === undefined ? '' : `; ${options.afterTimeout}`;
      logger.warn({ event: 'drain.timeout', remaining: drain.remaining, ms: drain.ms }, `drain ${from}: DRAIN_TIMEOUT reached with requests still in flight: ${JSON.stringify(drain.remaining)}${after}`);
    }
    return { drained: drain.drained, drainMs: drain.ms, dials };
  } catch (error) {
    logger.warn({ event: 'drain.interrupted', err: String(error) }, `drain stopped early: ${error instanceof CutoverError ? error.message : String(error)}`);
    return { drained: false, drainMs: 0, dials };
  }
}
