/**
 * Caddy's config is plain JSON. These are the few shapes cutover reads and
 * writes; everything else in the config is carried through untouched.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy that keeps key order, so an unchanged part re-serialises byte for byte. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/** `@id` values that cutover owns start with this; they are rebuilt on every change. */
export const CUTOVER_ID_PREFIX = 'cutover-';

/** The request header that selects a color through the preview route. */
export const PREVIEW_HEADER = 'Cutover-Color';

/** `@id` of the preview route of one server for one color. */
export function previewRouteId(server: string, color: string): string {
  return `${CUTOVER_ID_PREFIX}preview-${server}-${color}`;
}

export function isPreviewRoute(route: JsonValue): boolean {
  return isJsonObject(route) && typeof route['@id'] === 'string' && route['@id'].startsWith(`${CUTOVER_ID_PREFIX}preview-`);
}

/** `@id` that marks the reverse_proxy handler of a colored service in a JSON config. */
export function serviceHandlerId(service: string): string {
  return `${CUTOVER_ID_PREFIX}${service}`;
}

/**
 * Where Caddy keeps its HTTP servers: `apps.http.servers`. Every handler cutover
 * switches lives under it, and a switch changes this one subtree, nothing else.
 */
export const SERVERS_POINTER = ['apps', 'http', 'servers'] as const;

/** The admin API path of `apps.http.servers`: what a switch PATCHes. */
export const SERVERS_PATH = `/config/${SERVERS_POINTER.join('/')}`;

/**
 * The `apps.http.servers` object of a Caddy config, by name. It is the object
 * inside `config` itself (changing it changes the config), or a new empty
 * object when the config has no HTTP servers.
 */
export function serversOf(config: unknown): JsonObject {
  const apps = isJsonObject(config) ? config.apps : undefined;
  const http = isJsonObject(apps) ? apps.http : undefined;
  const servers = isJsonObject(http) ? http.servers : undefined;
  return isJsonObject(servers) ? servers : {};
}

/** Key order aside, the same JSON: Caddy gives objects back with their keys sorted. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  return JSON.stringify(value);
}
