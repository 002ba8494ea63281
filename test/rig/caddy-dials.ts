import { isJsonObject, type JsonValue } from '../../src/domain/caddy-json.js';
import { hasPreviewRoutes } from '../../src/domain/rewrite-caddy-config.js';

/** Every upstream dial in the live config of the Caddy at `adminAddress` (sorted, once each), and whether cutover's preview routes are there. */
export async function caddyDials(adminAddress: string): Promise<{ dials: string[]; previews: boolean }> {
  const config = (await (await fetch(`${adminAddress}/config/`)).json()) as JsonValue;
  const dials = new Set<string>();
  const walk = (value: JsonValue): void => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (isJsonObject(value)) {
      if (typeof value.dial === 'string') dials.add(value.dial);
      for (const v of Object.values(value)) walk(v);
    }
  };
  walk(config);
  return { dials: [...dials].sort(), previews: hasPreviewRoutes(config) };
}
