import { isJsonObject, isPreviewRoute, SERVERS_POINTER, serversOf, type JsonObject, type JsonValue } from './caddy-json.js';

/** One reverse_proxy handler found in Caddy's live config. */
export interface ProxyHandler {
  /** Name of the HTTP server (`srv0` in adapted Caddyfiles). */
  server: string;
  /** Keys from the config root to the handler object, e.g. ['apps','http','servers','srv0','routes',0,'handle',2]. */
  pointer: Array<string | number>;
  /** `@id` of the handler, if it has one. */
  id: string | undefined;
  /** The `dial` of each upstream, in order (duplicates kept: they carry weight on old Caddy). */
  dials: string[];
  /**
   * The user marked it to be left alone: it deletes the response header
   * `Cutover-Keep` (Caddyfile: `header_down -Cutover-Keep`), a no-op for traffic
   * that a Caddyfile can express, unlike `@id`. See docs/handlers.md.
   */
  keep: boolean;
  handler: JsonObject;
}

/** The response header whose deletion marks a handler that cutover must leave alone. */
export const KEEP_MARKER = 'Cutover-Keep';

function isMarkedKeep(handler: JsonObject): boolean {
  const headers = handler.headers;
  const response = isJsonObject(headers) ? headers.response : undefined;
  const deleted = isJsonObject(response) ? response.delete : undefined;
  return Array.isArray(deleted) && deleted.some((name) => typeof name === 'string' && name.toLowerCase() === KEEP_MARKER.toLowerCase());
}

function dialsOf(handler: JsonObject): string[] {
  const upstreams = handler.upstreams;
  if (!Array.isArray(upstreams)) return [];
  return upstreams.flatMap((upstream) => (isJsonObject(upstream) && typeof upstream.dial === 'string' ? [upstream.dial] : []));
}

function walkRoutes(routes: JsonValue | undefined, server: string, pointer: Array<string | number>, found: ProxyHandler[]): void {
  if (!Array.isArray(routes)) return;
  routes.forEach((route, routeIndex) => {
    // cutover's own preview routes are copies; the user's routes are the truth.
    if (!isJsonObject(route) || isPreviewRoute(route)) return;
    const handle = route.handle;
    if (!Array.isArray(handle)) return;
    handle.forEach((handler, handlerIndex) => {
      if (!isJsonObject(handler)) return;
      const at = [...pointer, routeIndex, 'handle', handlerIndex];
      if (handler.handler === 'reverse_proxy') {
        const id = handler['@id'];
        found.push({ server, pointer: at, id: typeof id === 'string' ? id : undefined, dials: dialsOf(handler), keep: isMarkedKeep(handler), handler });
      } else if (handler.handler === 'subroute') {
        walkRoutes(handler.routes, server, [...at, 'routes'], found);
      }
    });
  });
}

/**
 * Every reverse_proxy handler in the routes of every HTTP server, depth first,
 * in config order. Error routes (`errors.routes`) are not searched: traffic is
 * switched where requests are served, and error pages that proxy are left alone.
 */
export function findProxyHandlers(config: JsonValue): ProxyHandler[] {
  const found: ProxyHandler[] = [];
  for (const [server, spec] of Object.entries(serversOf(config))) {
    if (!isJsonObject(spec)) continue;
    walkRoutes(spec.routes, server, [...SERVERS_POINTER, server, 'routes'], found);
  }
  return found;
}
