import { serversOf, type JsonValue } from '../domain/caddy-json.js';
import { withoutTrafficLog } from '../domain/traffic-log-config.js';
import { caddyInstances, type Runtime } from './runtime.js';
import { switchTraffic } from './switch-traffic.js';

/**
 * Takes a leftover traffic log (a canary whose process died) out of Caddy's
 * config in one If-Match change of its own: the routing stays exactly as it
 * is. Caddy then stops logging every proxied request at DEBUG.
 */
export async function removeTrafficLog(runtime: Runtime): Promise<boolean> {
  const outcome = await switchTraffic(
    caddyInstances(runtime),
    (config: JsonValue) => ({ ok: true, servers: serversOf(config), unchanged: true, plan: undefined }),
    { logger: runtime.logger, what: "drops cutover's leftover traffic log", rewriteRoot: withoutTrafficLog },
  );
  return outcome.changed;
}
