import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test rig: a proxy in front of a REAL Caddy admin API that injects faults
 * into the next config change, to drive the rare paths of a switch whose
 * answer is lost. Everything else is passed through unchanged, HTTP trailers
 * included (Caddy 2.6 sends the config ETag as a trailer).
 *
 * Faults (each applies to the next PATCH/POST/PUT/DELETE under /config/, then
 * the proxy goes back to passing):
 * - `reset-after-apply`: the change reaches Caddy and is applied; the client's
 *   connection is then destroyed before any answer byte.
 * - `answer-503`: the change never reaches Caddy; the client gets 503.
 * - `down-after-apply`: like reset-after-apply, and from then on every
 *   connection is refused by destroying it, until `heal()`.
 */
export type AdminFault = 'reset-after-apply' | 'answer-503' | 'down-after-apply';

export interface AdminFaultProxy {
  /** `http://127.0.0.1:<port>`: give this to cutover as --caddy-admin. */
  address: string;
  injectOnNextChange(fault: AdminFault): void;
  /** Back to passing everything through. */
  heal(): void;
  /** Config changes that reached Caddy through the proxy. */
  changesForwarded(): number;
  close(): Promise<void>;
}

export async function startAdminFaultProxy(target: string): Promise<AdminFaultProxy> {
  const upstream = new URL(target);
  let pending: AdminFault | undefined;
  let down = false;
  let forwarded = 0;

  const server = http.createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const isChange = req.method !== 'GET' && (req.url ?? '').startsWith('/config/');
    const fault = isChange ? pending : undefined;
    if (fault !== undefined) pending = undefined;
    if (fault === 'answer-503') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"injected by the test proxy"}');
      return;
    }
    const headers = { ...req.headers, host: upstream.host };
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      if (isChange) forwarded += 1;
      if (fault === 'reset-after-apply' || fault === 'down-after-apply') {
        answer.resume();
        answer.on('end', () => {
          if (fault === 'down-after-apply') down = true;
          req.socket.destroy();
        });
        return;
      }
      const passHeaders = { ...answer.headers };
      // The body is re-sent chunked so that trailers can follow it.
      delete passHeaders['content-length'];
      res.writeHead(answer.statusCode ?? 502, passHeaders);
      answer.on('data', (chunk: Buffer) => res.write(chunk));
      answer.on('end', () => {
        const trailers = answer.trailers as Record<string, string>;
        if (Object.keys(trailers).length > 0) res.addTrailers(trailers);
        res.end();
      });
    });
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    injectOnNextChange: (fault) => {
      pending = fault;
    },
    heal: () => {
      pending = undefined;
      down = false;
    },
    changesForwarded: () => forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
