import type { CaddyPlacement, InitService } from './plan-init.js';
import { LOOPBACK_HOSTS, parseDial } from './service-addresses.js';
import { snippetNames, type SnippetUpstreams } from './render-upstream-snippets.js';

/**
 * The Caddyfile change `cutover init` proposes: wire every reverse_proxy that
 * reaches a colored service to cutover's upstream snippets
 * (docs/caddy-restarts.md), so a Caddy restart or reload comes back on the
 * color cutover switched to instead of the upstream written in the file.
 * Line-based, on the shapes Caddyfiles use for a proxy:
 *   reverse_proxy [matcher] <upstreams...> [{]
 *   to <upstreams...>            (inside a reverse_proxy block)
 * A line is rewritten only when every upstream on it reaches the same colored
 * service on the same port; anything else is left as it is and listed.
 * Pure: text in, text out.
 */

export interface CaddyfileWiring {
  text: string;
  /** `line 12: reverse_proxy web:3000 -> import cutover-web-3000` */
  rewritten: string[];
  /** Lines with a colored service that were not rewritten, and why. */
  left: string[];
  /** The snippets as the Caddyfile had them: what caddy/cutover-upstreams.caddy must hold before Caddy loads the wired file. */
  snippets: SnippetUpstreams[];
}

/** Which colored service and container port an upstream token reaches; undefined when none. */
function reachOf(token: string, services: readonly InitService[], caddyOn: CaddyPlacement): { service: string; port: number } | undefined {
  const dial = parseDial(token.replace(/^(https?|h2c):\/\//, ''));
  if (dial === undefined) return undefined;
  for (const service of services) {
    if (LOOPBACK_HOSTS.has(dial.host)) {
      const published = service.published.find((p) => p.hostPort === dial.port);
      if (published !== undefined && caddyOn === 'host') return { service: service.name, port: published.containerPort };
    } else if (dial.host === service.name || dial.host === `${service.name}-blue` || dial.host === `${service.name}-green`) {
      return { service: service.name, port: dial.port };
    }
  }
  return undefined;
}

const MATCHER = /^(\/|@|\*)/;

export function wireCaddyfile(text: string, services: readonly InitService[], caddyOn: CaddyPlacement, importPath: string): CaddyfileWiring {
  const rewritten: string[] = [];
  const left: string[] = [];
  const snippets = new Map<string, SnippetUpstreams>();
  const out: string[] = [];
  const lines = text.split('\n');
  if (lines.some((line) => /^\s*import\s+\S*cutover-upstreams\.caddy\s*$/.test(line))) {
    return { text, rewritten, left: ['the Caddyfile already imports cutover-upstreams.caddy: left as it is'], snippets: [] };
  }
  lines.forEach((line, index) => {
    const where = `line ${index + 1}`;
    const proxy = /^(\s*)reverse_proxy((?:\s+[^\s{]+)*)\s*(\{)?\s*$/.exec(line);
    const to = /^(\s*)to((?:\s+\S+)+)\s*$/.exec(line);
    const match = proxy ?? to;
    if (match === null) {
      out.push(line);
      return;
    }
    const indent = match[1] ?? '';
    const tokens = (match[2] ?? '').trim().split(/\s+/).filter((t) => t !== '');
    const matcher = proxy !== null && tokens[0] !== undefined && MATCHER.test(tokens[0]) ? tokens[0] : undefined;
    const upstreams = matcher === undefined ? tokens : tokens.slice(1);
    const reaches = upstreams.map((u) => reachOf(u, services, caddyOn));
    const known = reaches.filter((r): r is { service: string; port: number } => r !== undefined);
    if (known.length === 0) {
      out.push(line);
      return;
    }
    const first = known[0] as { service: string; port: number };
    if (known.length !== upstreams.length || known.some((r) => r.service !== first.service || r.port !== first.port)) {
      left.push(`${where}: "${line.trim()}" mixes ${first.service} with other upstreams: wire it by hand (docs/caddy-restarts.md)`);
      out.push(line);
      return;
    }
    const snippet = snippetNames(first.service, first.port)[1] as string;
    const key = `${first.service}:${first.port}`;
    if (!snippets.has(key)) snippets.set(key, { service: first.service, port: first.port, dials: upstreams });
    if (proxy !== null) {
      const head = `${indent}reverse_proxy${matcher === undefined ? '' : ` ${matcher}`} {`;
      const body = `${indent}\timport ${snippet}`;
      out.push(head, body);
      if (proxy[3] === undefined) out.push(`${indent}}`);
      rewritten.push(`${where}: ${line.trim()} -> reverse_proxy { import ${snippet} }`);
    } else {
      out.push(`${indent}import ${snippet}`);
      rewritten.push(`${where}: ${line.trim()} -> import ${snippet}`);
    }
  });
  if (rewritten.length === 0) return { text, rewritten, left, snippets: [] };
  return { text: [`import ${importPath}`, ...out].join('\n'), rewritten, left, snippets: [...snippets.values()] };
}

/** Service names and host ports the Caddyfile's upstreams name: the default set of services to color. */
export function proxiedServices(text: string, compose: { names: readonly string[]; published: ReadonlyMap<number, string> }): string[] {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    // A Caddyfile init already wired names the service in its snippet.
    const wired = /^\s*import\s+cutover-(.+?)(?:-\d+)?\s*$/.exec(line);
    if (wired !== null && compose.names.includes(wired[1] ?? '')) found.add(wired[1] ?? '');
    const match = /^\s*(?:reverse_proxy|to)\s+(.*?)\s*\{?\s*$/.exec(line);
    if (match === null) continue;
    for (const token of (match[1] ?? '').split(/\s+/)) {
      const dial = parseDial(token.replace(/^(https?|h2c):\/\//, ''));
      if (dial === undefined) continue;
      if (LOOPBACK_HOSTS.has(dial.host)) {
        const service = compose.published.get(dial.port);
        if (service !== undefined) found.add(service);
      } else if (compose.names.includes(dial.host)) {
        found.add(dial.host);
      }
    }
  }
  return [...found];
}
