import net from 'node:net';
import { UsageError } from '../../errors.js';

/**
 * Where Caddy's admin API listens, as cutover will reach it.
 *
 * The admin API has no authentication: whoever reaches it controls Caddy. A
 * plain-HTTP address that is not loopback is therefore refused unless the user
 * says the network is trusted (`checkAdminExposure`); loopback, a unix socket
 * (guarded by file permissions) and https:// are fine.
 */
export type AdminAddress =
  | { kind: 'tcp'; /** `http://host:port` or `https://host[:port]`, no trailing slash */ origin: string; text: string }
  | { kind: 'unix'; socketPath: string; text: string };

const FORMS = 'use http://127.0.0.1:2019, 127.0.0.1:2019, https://host:port or unix//path/to/admin.sock';
const HINT = 'Set the admin address with --caddy-admin or CADDY_ADMIN.';

function invalid(input: string, why: string): UsageError {
  return new UsageError(`invalid Caddy admin address "${input}": ${why}; ${FORMS}`, { hint: HINT });
}

/**
 * Accepts Caddy's own notations: `unix//abs/path` (network `unix`, address
 * `/abs/path`), `tcp/host:port`, `host:port`, `:port` (Caddy listens on all
 * interfaces; we connect through 127.0.0.1), `http://host[:port]` and
 * `https://host[:port]`.
 */
export function parseAdminAddress(input: string): AdminAddress {
  const raw = input.trim();
  if (raw === '') throw invalid(input, 'it is empty');

  if (raw.startsWith('unix/')) {
    // Caddy 2.8+ lets a listener carry a file mode (`unix//path|0220`); it means nothing to a client.
    const socketPath = raw.slice('unix/'.length).replace(/\|[0-7]{3,4}$/, '');
    if (socketPath === '') throw invalid(input, 'the socket path is missing');
    return { kind: 'unix', socketPath, text: `unix/${socketPath}` };
  }
  let withScheme: string;
  if (/^https?:\/\//i.test(raw)) {
    withScheme = raw;
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw invalid(input, 'unknown scheme');
  } else {
    const hostPort = raw.startsWith('tcp/') ? raw.slice('tcp/'.length) : raw;
    // Without a scheme the port is mandatory: a bare host would silently mean port 80.
    if (!/:\d+$/.test(hostPort)) throw invalid(input, 'the port is missing');
    withScheme = `http://${hostPort.startsWith(':') ? `127.0.0.1${hostPort}` : hostPort}`;
  }

  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalid(input, 'it is not a host and port');
  }
  if (url.hostname === '') throw invalid(input, 'the host is missing');
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || url.pathname !== '/') {
    throw invalid(input, 'it must be only a host and a port, without path, query or credentials');
  }
  return { kind: 'tcp', origin: url.origin, text: url.origin };
}

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and `localhost`: addresses that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (!net.isIPv6(host)) return false;
  if (host === '::1') return true;
  // WHATWG URLs write ::ffff:127.0.0.1 as ::ffff:7f00:1; either way it is 127.x.
  const mapped = /^::ffff:(?:(127\.[\d.]+)|7f([0-9a-f]{2}):[0-9a-f]{1,4})$/.exec(host);
  return mapped !== null;
}

/**
 * Refuses a plain-HTTP admin address that is not loopback, because the admin
 * API has no authentication: anyone on that network who reaches it controls
 * Caddy. With `allowRemote` it is accepted, and the returned warning says what
 * is at stake. Returns undefined for loopback, unix sockets and https.
 */
export function checkAdminExposure(address: AdminAddress, allowRemote: boolean): string | undefined {
  if (address.kind === 'unix') return undefined;
  const url = new URL(address.origin);
  if (url.protocol === 'https:' || isLoopbackHost(url.hostname)) return undefined;
  const why = `Caddy admin address ${address.text} is plain HTTP to a host that is not loopback, and Caddy's admin API has no authentication: whoever can reach it controls Caddy`;
  if (allowRemote) return `${why} (allowed by --allow-remote-admin)`;
  throw new UsageError(`refusing ${why}`, {
    hint: 'use 127.0.0.1, a unix socket (unix//path/to/admin.sock) or https://, tunnel it (ssh -L 2019:127.0.0.1:2019 host), or pass --allow-remote-admin if only trusted machines can reach that network',
  });
}
