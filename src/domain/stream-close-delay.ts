import type { JsonObject, JsonValue } from './caddy-json.js';

/**
 * WebSockets and other streams across a switch. Every switch is a config
 * load, and a load ends the handlers of the old config: on Caddy before 2.7
 * that closes every upgraded connection at once (measured on 2.6.2,
 * docs/websockets.md). From 2.7 the reverse_proxy handler has
 * `stream_close_delay`: streams of an unloaded handler stay open that long,
 * so a WebSocket to the old color lives through the switch and is drained
 * like any request in flight (Caddy counts it in the upstream's in-flight
 * requests, which is what the drain waits on).
 *
 * So on a Caddy that knows it, the handlers cutover switches get
 * `stream_close_delay` = DRAIN_TIMEOUT when the user set none: the sockets
 * close when the drain gives up, not before. A value the user set is kept.
 * Pure: the servers cutover is about to send in, the same servers out.
 */

/** Caddy's JSON duration: a Go duration string. */
export function caddyDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function dialsOf(handler: JsonObject): string[] {
  const upstreams = handler.upstreams;
  if (!Array.isArray(upstreams)) return [];
  return upstreams.flatMap((u) => (isObject(u) && typeof u.dial === 'string' ? [u.dial] : []));
}

/**
 * Every reverse_proxy handler whose upstreams all belong to `switchedDials`
 * (what the switch points the colored services at), at any depth (routes,
 * subroutes, handle blocks), without `stream_close_delay` of its own, gets
 * `stream_close_delay: delay`. Returns the servers and how many handlers got it.
 */
export function withStreamCloseDelay(servers: JsonObject, switchedDials: ReadonlySet<string>, delayMs: number): { servers: JsonObject; added: number } {
  let added = 0;
  const visit = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return value.map(visit);
    if (!isObject(value)) return value;
    const copy: JsonObject = {};
    for (const [key, child] of Object.entries(value)) copy[key] = visit(child);
    if (copy.handler === 'reverse_proxy' && copy.stream_close_delay === undefined) {
      const dials = dialsOf(copy);
      if (dials.length > 0 && dials.every((d) => switchedDials.has(d))) {
        copy.stream_close_delay = caddyDuration(delayMs);
        added += 1;
      }
    }
    return copy;
  };
  const result = visit(servers) as JsonObject;
  return { servers: result, added };
}
