import { isIP } from 'node:net';
import type { PortMapping } from './model.js';

export type ParsedPort = { ok: true; mappings: PortMapping[] } | { ok: false; message: string };

const SHAPE = 'expected [[ip:]host:]container[/tcp|udp], e.g. "127.0.0.1:8080:80"';

/**
 * Compose's short port syntax: `"80"`, `"8080:80"`, `"127.0.0.1:8080:80"`,
 * `"127.0.0.1::80"` (ephemeral host port), `"[::1]:8080:80"`, `"8080:80/udp"`,
 * and equal-length ranges (`"8000-8001:80-81"`), which yield one mapping per port.
 * A host range for a single container port ("pick any free port") is refused:
 * cutover needs to know which port it publishes.
 */
export function parsePort(text: string): ParsedPort {
  const spec = text.trim();
  const fail = (why: string): ParsedPort => ({ ok: false, message: `"${text}" is not a port mapping: ${why}` });
  const slash = spec.lastIndexOf('/');
  const body = slash === -1 ? spec : spec.slice(0, slash);
  const protocol = slash === -1 ? 'tcp' : spec.slice(slash + 1).toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') return fail(`protocol "${protocol}" is not supported (tcp or udp)`);

  const lastColon = body.lastIndexOf(':');
  const containerPart = body.slice(lastColon + 1);
  let hostIp: string | undefined;
  let hostPart: string | undefined;
  if (lastColon !== -1) {
    const hostSpec = body.slice(0, lastColon);
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(hostSpec);
    if (bracketed !== null) {
      hostIp = bracketed[1];
      hostPart = bracketed[2];
    } else {
      const colon = hostSpec.lastIndexOf(':');
      hostIp = colon === -1 ? undefined : hostSpec.slice(0, colon);
      hostPart = colon === -1 ? hostSpec : hostSpec.slice(colon + 1);
    }
  }
  if (hostIp !== undefined && isIP(hostIp) === 0) return fail(`"${hostIp}" is not an IP address`);

  const container = parseRange(containerPart);
  if (typeof container === 'string') return fail(container === '' ? SHAPE : container);
  const host = hostPart === undefined || hostPart === '' ? undefined : parseRange(hostPart);
  if (typeof host === 'string') return fail(host === '' ? SHAPE : host);

  const count = container.end - container.start + 1;
  if (host !== undefined && host.end - host.start + 1 !== count) {
    return fail(count === 1 ? 'a host port range for one container port is not supported; publish one host port' : 'the host and container ranges differ in length');
  }
  const mappings: PortMapping[] = [];
  for (let k = 0; k < count; k += 1) {
    mappings.push({ hostIp: hostIp === '' ? undefined : hostIp, hostPort: host === undefined ? undefined : host.start + k, containerPort: container.start + k, protocol });
  }
  return { ok: true, mappings };
}

/** A port or `start-end`; '' for a syntax error, or a message for an out-of-range number. */
export function parseRange(text: string): { start: number; end: number } | string {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (match === null) return '';
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  for (const port of [start, end]) if (port < 1 || port > 65535) return `port ${port} is out of range (1-65535)`;
  if (end < start) return `range ${text} ends before it starts`;
  return { start, end };
}
