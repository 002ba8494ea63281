import type { VolumeSpec } from '../../config/model.js';
import type { DockerContext } from './docker-client.js';
import { ensureNamedObject } from './ensure-named-object.js';

/**
 * Makes sure a named volume exists. External volumes hold someone else's data
 * and are never created here: their absence is an error with a hint.
 * Returns whether it was created now.
 */
export function ensureVolume(ctx: DockerContext, spec: VolumeSpec, labels: Record<string, string> = {}): Promise<{ created: boolean }> {
  return ensureNamedObject(ctx, 'volume', spec, {
    inspect: () => ctx.docker.getVolume(spec.name).inspect(),
    create: () => ctx.docker.createVolume({ Name: spec.name, Driver: spec.driver ?? 'local', Labels: labels }),
  });
}
