import http from 'node:http';
import { PREVIEW_HEADER } from '../src/domain/caddy-json.js';

/**
 * Tells the test app of one color to answer 500 to every request from now on
 * (`POST /control/errors?fail=1`), through Caddy's preview route (the
 * `Cutover-Color` header), as the canary's end-to-end test does. `url` is the
 * control path through Caddy, e.g. `http://127.0.0.1:<port>/api/control/errors?fail=1`.
 * Rejects unless the app confirms.
 */
export function failColor(url: string, color: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent: false, headers: { [PREVIEW_HEADER]: color } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        if (response.statusCode === 200 && text.startsWith('errors fail=1')) resolve();
        else reject(new Error(`${url} with ${PREVIEW_HEADER}: ${color} answered ${response.statusCode}: ${text.slice(0, 100)}`));
      });
      response.on('error', reject);
    });
    request.setTimeout(5_000, () => request.destroy(new Error(`${url}: no answer within 5 s`)));
    request.on('error', reject);
    request.end();
  });
}
