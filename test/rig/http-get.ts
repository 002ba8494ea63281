import http from 'node:http';
import { sleep } from '../../src/sleep.js';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * One GET on its own connection, closed after the answer (no agent, no
 * keep-alive): tests that count a container's connections must not see an idle
 * pooled one. Rejects on a connection error or after `timeoutMs`.
 */
export function httpGet(url: string, options: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs, headers: options.headers ?? {} }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** Polls `url` until it answers 200 (the app listens), at most `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 10_000): Promise<HttpAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const answer = await httpGet(url, { timeoutMs: 1000 });
      if (answer.status === 200) return answer;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * A GET that the app is known to be handling: it is sent with
 * `Expect: 100-continue`, and Node's server answers "100 Continue" in the same
 * tick in which it hands the request to the app's handler. So once `inFlight`
 * resolves, the request is in flight in the app, not just a connection in a
 * kernel queue or in Docker's port proxy.
 */
export function heldGet(url: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): { inFlight: Promise<void>; answer: Promise<HttpAnswer> } {
  let markInFlight: () => void = () => undefined;
  let failInFlight: (err: Error) => void = () => undefined;
  const inFlight = new Promise<void>((resolve, reject) => {
    markInFlight = resolve;
    failInFlight = reject;
  });
  const answer = new Promise<HttpAnswer>((resolve, reject) => {
    const request = http.request(url, { method: 'GET', agent: false, timeout: timeoutMs, headers: { expect: '100-continue' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      response.on('error', reject);
    });
    request.on('continue', () => {
      markInFlight();
      request.end();
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    request.on('error', (err) => {
      failInFlight(err);
      reject(err);
    });
  });
  inFlight.catch(() => undefined); // the same failure surfaces through `answer`
  return { inFlight, answer };
}
