import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../../src/domain/caddy-json.js';
import { caddyDuration, withStreamCloseDelay } from '../../../src/domain/stream-close-delay.js';

const proxy = (dials: string[], extra: JsonObject = {}): JsonObject => ({ handler: 'reverse_proxy', upstreams: dials.map((dial) => ({ dial })), ...extra });

const servers: JsonObject = {
  srv0: {
    listen: [':80'],
    routes: [
      { match: [{ path: ['/api/*'] }], handle: [{ handler: 'subroute', routes: [{ handle: [proxy(['api-green:4000'])] }] }] },
      { match: [{ path: ['/ws/*'] }], handle: [proxy(['web-green:3000'], { stream_close_delay: '5m' })] },
      { match: [{ path: ['/other/*'] }], handle: [proxy(['10.0.0.5:9000'])] },
      { match: [{ path: ['/mixed/*'] }], handle: [proxy(['web-green:3000', '10.0.0.5:9000'])] },
      { handle: [proxy(['web-green:3000'])] },
    ],
  },
};

test('the handlers cutover switches get stream_close_delay = DRAIN_TIMEOUT; the user\'s own value and other handlers are kept', () => {
  const { servers: out, added } = withStreamCloseDelay(servers, new Set(['web-green:3000', 'api-green:4000']), 30_000);
  assert.equal(added, 2);
  const routes = (out.srv0 as { routes: Array<{ handle: JsonObject[] }> }).routes;
  const subroute = routes[0]!.handle[0] as { routes: Array<{ handle: JsonObject[] }> };
  const nested = subroute.routes[0]?.handle[0];
  assert.deepEqual(nested, proxy(['api-green:4000'], { stream_close_delay: '30s' }), 'inside a subroute too');
  assert.deepEqual(routes[1]?.handle[0], proxy(['web-green:3000'], { stream_close_delay: '5m' }), 'a value the user set is kept');
  assert.deepEqual(routes[2]?.handle[0], proxy(['10.0.0.5:9000']), 'a handler of another service is untouched');
  assert.deepEqual(routes[3]?.handle[0], proxy(['web-green:3000', '10.0.0.5:9000']), 'a handler with a foreign upstream is untouched');
  assert.deepEqual(routes[4]?.handle[0], proxy(['web-green:3000'], { stream_close_delay: '30s' }));
  assert.equal(JSON.stringify(servers).includes('30s'), false, 'the input is not changed');
});

test('caddyDuration: whole seconds, else milliseconds', () => {
  assert.equal(caddyDuration(30_000), '30s');
  assert.equal(caddyDuration(1_500), '1500ms');
});
