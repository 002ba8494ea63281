import { expandAlone } from './merge-compose.js';
import type { ServiceSpec } from './model.js';
import { normalizeService, type NormalizeContext } from './normalize-service.js';

/**
 * The plain service of a colored one: compose.yml's definition alone, as
 * `docker compose up` would run it without the color overlays (no color
 * container_name, aliases or ports). `reset` starts it to return to plain
 * Compose mode. `definition` is compose.yml's entry: the colored service's own
 * (`platform`, merged style) or, when the overlays define `platform-blue` and
 * `platform-green` on their own, compose.yml's `platform` if it has one.
 *
 * Never a config error: compose.yml's service may lean on the overlays (an
 * image only they set) or on keys cutover does not apply. Such a service has
 * no plain form (undefined), and reset refuses when it needs one.
 */
export function buildPlainService(name: string, definition: Record<string, unknown> | undefined, ctx: NormalizeContext): ServiceSpec | undefined {
  if (definition === undefined) return undefined;
  const result = normalizeService(name, name, expandAlone(definition), ctx);
  return result.problems.length === 0 ? result.spec : undefined;
}
