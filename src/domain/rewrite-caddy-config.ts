import { COLORS, type Color } from '../config/model.js';
import { cloneJson, isJsonObject, isPreviewRoute, PREVIEW_HEADER, previewRouteId, SERVERS_POINTER, serversOf, type JsonObject, type JsonValue } from './caddy-json.js';

/** The new upstreams of one service's handler. */
export interface UpstreamChange {
  service: string;
  /** Where the handler is, in the config without preview routes (see findProxyHandlers). */
  pointer: Array<string | number>;
  /** Dials in order; a dial listed twice gets twice the traffic under round_robin. */
  dials: string[];
  /**
   * The handler's `load_balancing`: undefined keeps what the user has,
   * null removes it, an object replaces it (canary weights).
   */
  loadBalancing?: JsonObject | null;
}

/** Dials of each color of one service, for the preview routes. Empty when a color has nothing to reach. */
export interface PreviewTarget {
  service: string;
  pointer: Array<string | number>;
  dialsByColor: Record<Color, string[]>;
}

/** The config without cutover's preview routes: the user's own routing. */
export function stripPreviewRoutes(config: JsonValue): JsonValue {
  if (!isJsonObject(config)) return config;
  const copy = cloneJson(config);
  for (const server of Object.values(serversOf(copy))) {
    if (isJsonObject(server) && Array.isArray(server.routes)) server.routes = server.routes.filter((route) => !isPreviewRoute(route));
  }
  return copy;
}

/** True when the config holds cutover's preview routes: a Caddy that reloaded its own config (restart, `caddy reload`) has none. */
export function hasPreviewRoutes(config: JsonValue): boolean {
  if (!isJsonObject(config)) return false;
  const servers = serversOf(config);
  return Object.values(servers ?? {}).some((server) => isJsonObject(server) && Array.isArray(server.routes) && server.routes.some(isPreviewRoute));
}

function objectAt(root: JsonValue, pointer: ReadonlyArray<string | number>): JsonObject {
  let node: JsonValue | undefined = root;
  for (const key of pointer) {
    node = Array.isArray(node) && typeof key === 'number' ? node[key] : isJsonObject(node) && typeof key === 'string' ? node[key] : undefined;
  }
  if (!isJsonObject(node)) throw new Error(`no object at ${pointer.join('/')} in Caddy's config`);
  return node;
}

function setUpstreams(handler: JsonObject, dials: readonly string[]): void {
  // Keep per-upstream settings (max_requests ...) of the user's first upstream; only the dial changes.
  const first = Array.isArray(handler.upstreams) && isJsonObject(handler.upstreams[0]) ? handler.upstreams[0] : {};
  handler.upstreams = dials.map((dial) => ({ ...cloneJson(first), dial }));
}

function withoutIds(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) if (key !== '@id') out[key] = withoutIds(inner);
  return out;
}

function serverOfPointer(pointer: ReadonlyArray<string | number>): string {
  return String(pointer[3]);
}

/**
 * Builds the complete new config for one atomic change: the user's config with
 * only the upstreams (and, for canaries, the load balancing) of the colored
 * services' handlers changed, and in front of each affected server one preview
 * route per color. A preview route is a copy of that server's routes in which
 * every colored service points at that color; it is matched only by the
 * `Cutover-Color` request header, so normal traffic never reaches it. It lets an
 * operator try a color through the real proxy, and it keeps every color's
 * dials referenced, which keeps their in-flight counts visible on Caddy
 * versions that drop unreferenced upstreams from /reverse_proxy/upstreams.
 */
export function rewriteCaddyConfig(base: JsonValue, changes: readonly UpstreamChange[], previews: readonly PreviewTarget[]): JsonObject {
  if (!isJsonObject(base)) throw new Error("Caddy's config is not a JSON object");
  const config = cloneJson(base);
  for (const change of changes) {
    const handler = objectAt(config, change.pointer);
    setUpstreams(handler, change.dials);
    if (change.loadBalancing === null) delete handler.load_balancing;
    else if (change.loadBalancing !== undefined) handler.load_balancing = cloneJson(change.loadBalancing);
  }
  const servers = serversOf(config);
  const byServer = new Map<string, PreviewTarget[]>();
  for (const preview of previews) {
    const server = serverOfPointer(preview.pointer);
    byServer.set(server, [...(byServer.get(server) ?? []), preview]);
  }
  for (const [serverName, targets] of byServer) {
    const server = servers[serverName];
    if (!isJsonObject(server) || !Array.isArray(server.routes)) continue;
    const userRoutes = server.routes;
    const previewRoutes: JsonValue[] = [];
    for (const color of COLORS) {
      if (targets.every((t) => t.dialsByColor[color].length === 0)) continue;
      const copy = withoutIds(cloneJson(userRoutes)) as JsonValue[];
      const routesRoot: JsonObject = { routes: copy };
      for (const target of targets) {
        const dials = target.dialsByColor[color];
        if (dials.length === 0) continue;
        // Pointers start at apps/http/servers/<name>/routes; inside the copy they start at routes.
        const handler = objectAt(routesRoot, target.pointer.slice(SERVERS_POINTER.length + 1));
        setUpstreams(handler, dials);
        // A preview sends everything to one color: weights of a canary do not apply.
        if (isJsonObject(handler.load_balancing) && isJsonObject(handler.load_balancing.selection_policy)) {
          const policy = handler.load_balancing.selection_policy.policy;
          if (policy === 'weighted_round_robin') delete handler.load_balancing.selection_policy;
        }
      }
      previewRoutes.push({
        '@id': previewRouteId(serverName, color),
        match: [{ header: { [PREVIEW_HEADER]: [color] } }],
        handle: [{ handler: 'subroute', routes: copy }],
        terminal: true,
      });
    }
    server.routes = [...previewRoutes, ...userRoutes];
  }
  return config;
}
