import { isJsonObject, serversOf, type JsonValue } from '../domain/caddy-json.js';

/**
 * `http://127.0.0.1:<port>/` of the first HTTP listener in Caddy's config.
 * For Caddy in a container, `published` maps the listener's port inside the
 * container to the host port it is published on (`127.0.0.1:18080->80`); a
 * listener that is not published is skipped.
 */
export function defaultProbeUrl(config: JsonValue, published?: ReadonlyArray<{ privatePort: number; publicPort: number }>): string | undefined {
  const servers = serversOf(config);
  for (const server of Object.values(servers)) {
    const listen = isJsonObject(server) && Array.isArray(server.listen) ? server.listen : [];
    for (const address of listen) {
      const port = typeof address === 'string' ? /:(\d+)$/.exec(address)?.[1] : undefined;
      if (port === undefined) continue;
      if (published === undefined) return `http://127.0.0.1:${port}/`;
      const host = published.find((p) => p.privatePort === Number(port))?.publicPort;
      if (host !== undefined) return `http://127.0.0.1:${host}/`;
    }
  }
  return undefined;
}
