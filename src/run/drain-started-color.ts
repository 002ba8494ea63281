import type { Color, ProjectConfig } from '../config/model.js';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import { formatDuration } from '../domain/format-duration.js';
import { drainUpstreams } from './drain-upstreams.js';
import { readInstanceColorDials } from './read-instance-color-dials.js';
import { caddyInstances, type Runtime } from './runtime.js';

/**
 * Before the undo removes a new color's containers: waits until no Caddy
 * instance has a request in flight to them, at most DRAIN_TIMEOUT. Traffic is
 * already back on the old color by then, but a canary step, a switch that is
 * being undone (a failed verification or bake) or a preview request may still
 * be answering there, and a container removed under it turns that request
 * into a 502. Nothing in flight costs one read per instance. Best effort: a
 * Caddy that cannot be read (often the reason for the undo) or a timeout is a
 * warning, and the undo goes on.
 */
export async function drainStartedColor(runtime: Runtime, project: ProjectConfig, color: Color, containers: readonly ServiceContainer[]): Promise<void> {
  const { logger } = runtime;
  try {
    const admins = caddyInstances(runtime);
    const perInstance = await readInstanceColorDials(runtime, project, containers);
    const dials = [...new Set(perInstance.flatMap((each) => each.flatMap((d) => d.byColor[color])))];
    if (dials.length === 0) return;
    // Its own signal: the undo often follows a Ctrl-C, and a second one leaves at once anyway.
    const drain = await drainUpstreams(admins, dials, { timeoutMs: project.settings.drainTimeoutMs, logger, signal: new AbortController().signal });
    if (!drain.drained) {
      logger.warn({ event: 'drain.timeout', remaining: drain.remaining, ms: drain.ms }, `  ${color}: DRAIN_TIMEOUT reached with requests still in flight before its removal: ${JSON.stringify(drain.remaining)}`);
    } else if (drain.ms > 0) {
      logger.info({ event: 'undo.drained', color, ms: drain.ms }, `  ${color}: its requests in flight finished in ${formatDuration(drain.ms)}`);
    }
  } catch (error) {
    logger.warn({ event: 'drain.interrupted', err: String(error) }, `  could not wait for ${color}'s requests in flight before removing it: ${error instanceof Error ? error.message : String(error)}`);
  }
}
