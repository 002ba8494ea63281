/**
 * The Caddyfile snippets that make a switch survive a Caddy restart.
 *
 * A Caddy started from a Caddyfile forgets every admin-API change when it
 * restarts or when someone runs `caddy reload`: it goes back to the upstreams
 * the Caddyfile names. cutover therefore writes, next to the Caddy config and
 * before every full switch, one snippet per colored service naming the
 * upstreams it is about to switch to. A Caddyfile that imports this file and
 * uses the snippets inside its reverse_proxy blocks comes back on the color
 * cutover switched to (docs/caddy-restarts.md shows the wiring).
 */

export const UPSTREAM_SNIPPETS_FILE = 'cutover-upstreams.caddy';

export interface SnippetUpstreams {
  service: string;
  /** The port Caddy reaches the service on (the container port): services reached on several ports get one snippet each. */
  port: number;
  dials: readonly string[];
}

/** `cutover-<service>` (its first port) and `cutover-<service>-<port>` (each port). */
export function snippetNames(service: string, port: number): string[] {
  return [`cutover-${service}`, `cutover-${service}-${port}`];
}

export function renderUpstreamSnippets(upstreams: readonly SnippetUpstreams[], color: string): string {
  const lines = [
    '# Written by cutover before every switch: do not edit, the next switch rewrites it.',
    `# Every service below points at ${color}. Import this file at the top of the Caddyfile`,
    `# (import ${UPSTREAM_SNIPPETS_FILE}) and use a snippet inside each reverse_proxy block`,
    '# (reverse_proxy { import cutover-<service> ... }), so that a Caddy restart or reload',
    '# comes back on the color cutover switched to.',
  ];
  const written = new Set<string>();
  for (const entry of upstreams) {
    for (const name of snippetNames(entry.service, entry.port)) {
      if (written.has(name)) continue;
      written.add(name);
      lines.push(`(${name}) {`, `\tto ${entry.dials.join(' ')}`, '}');
    }
  }
  return `${lines.join('\n')}\n`;
}
