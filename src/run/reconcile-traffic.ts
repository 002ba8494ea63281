import type { ProjectConfig } from '../config/model.js';
import { isHealthy } from '../domain/is-healthy.js';
import { OperationFailedError } from '../errors.js';
import type { Active } from '../state/state-schema.js';
import type { Observation } from './observe-project.js';
import type { Runtime } from './runtime.js';
import { switchAll } from './switch-all.js';

/**
 * Puts the recorded active color back into Caddy in one If-Match change (with
 * cutover's preview routes), after Caddy went back to its own config or was
 * changed outside cutover. Refused when that color cannot serve: switching to
 * containers that are not running would turn a wrong version into an outage.
 */
export async function reconcileTraffic(runtime: Runtime, project: ProjectConfig, observation: Observation, active: Active): Promise<void> {
  const missing = project.colored.filter((service) => !observation.containers.some((c) => c.service === service.name && c.color === active.color && isHealthy(c)));
  if (missing.length > 0) {
    throw new OperationFailedError(
      `the recorded active color ${active.color} (${active.version}) has no serving container for ${missing.map((s) => s.name).join(', ')}, so cutover will not point Caddy back at it`,
      { hint: `deploy a version again (cutover deploy ${active.version}), or point Caddy at what runs and move caddy/cutover-state.json aside` },
    );
  }
  await switchAll(runtime, project, active.color, `sends every service to ${active.color} (${active.version}) again, as recorded`, {});
}
