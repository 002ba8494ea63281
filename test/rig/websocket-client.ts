import { randomBytes } from 'node:crypto';
import http from 'node:http';

/** How a WebSocket ended, as the client saw it. */
export type WebSocketEnd =
  | { how: 'close-frame'; code: number | undefined; atMs: number }
  | { how: 'eof'; atMs: number }
  | { how: 'reset'; error: string; atMs: number };

export interface OpenWebSocket {
  /** The first text frame the server sent (the test app sends its version). */
  greeting: string;
  /** Settles when the connection ends; never rejects. */
  ended: Promise<WebSocketEnd>;
  close(): void;
}

/**
 * A minimal WebSocket client for tests (Node 20 has no stable built-in one and
 * cutover has no `ws` dependency): the RFC 6455 handshake over http, then
 * unmasked server frames are read until a close frame, the end of the stream
 * or an error, which is what the tests assert on.
 */
export function openWebSocket(url: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<OpenWebSocket> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`no WebSocket handshake from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`${url} answered ${res.statusCode} instead of switching to a WebSocket`)));
    req.on('upgrade', (_res, socket, head) => {
      const opened = Date.now();
      let buffer = Buffer.from(head);
      let greeted = false;
      let finish: (end: WebSocketEnd) => void = () => undefined;
      const ended = new Promise<WebSocketEnd>((done) => {
        let settled = false;
        finish = (end) => {
          if (settled) return;
          settled = true;
          done(end);
        };
      });
      const read = (): void => {
        while (buffer.length >= 2) {
          const opcode = (buffer[0] ?? 0) & 0x0f;
          const length = (buffer[1] ?? 0) & 0x7f;
          if (buffer.length < 2 + length) return;
          const payload = buffer.subarray(2, 2 + length);
          buffer = buffer.subarray(2 + length);
          if (opcode === 0x1 && !greeted) {
            greeted = true;
            resolve({ greeting: payload.toString('utf8'), ended, close: () => socket.destroy() });
          } else if (opcode === 0x8) {
            finish({ how: 'close-frame', code: payload.length >= 2 ? payload.readUInt16BE(0) : undefined, atMs: Date.now() - opened });
          }
        }
      };
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        read();
      });
      socket.on('end', () => finish({ how: 'eof', atMs: Date.now() - opened }));
      socket.on('close', () => finish({ how: 'eof', atMs: Date.now() - opened }));
      socket.on('error', (error) => finish({ how: 'reset', error: (error as NodeJS.ErrnoException).code ?? error.message, atMs: Date.now() - opened }));
      read();
    });
    req.end();
  });
}
