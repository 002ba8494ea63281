import { UsageError } from '../../errors.js';

/**
 * Where Caddy's admin API listens, as cutover will reach it.
 *
 * The admin API has no authentication: whoever reaches it controls Caddy.
 * cutover does not refuse remote hosts (a user may tunnel), but the address
 * should be loopback or a unix socket, and never published.
 */
export type AdminAddress =
  | { kind: 'tcp'; /** `http://host:port`, no trailing slash */ origin: string; text: string }
  | { kind: 'unix'; socketPath: string; text: string };

const FORMS = 'use http://127.0.0.1:2019, 127.0.0.1:2019 or unix//path/to/admin.sock';
const HINT = 'Set the admin address with --caddy-admin or CADDY_ADMIN.';

function invalid(input: string, why: string): UsageError {
  return new UsageError(`invalid Caddy admin address "${input}": ${why}; ${FORMS}`, { hint: HINT });
}

/**
 * Accepts Caddy's own notations: `unix//abs/path` (network `unix`, address
 * `/abs/path`), `tcp/host:port`, `host:port`, `:port` (Caddy listens on all
 * interfaces; we connect through 127.0.0.1) and `http://host[:port]`.
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
  if (/^https:\/\//i.test(raw)) {
    throw invalid(input, 'cutover talks plain HTTP to a local admin endpoint; remote (TLS) admin is not supported');
  }

  let withScheme: string;
  if (/^http:\/\//i.test(raw)) {
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
