// The routing core against a real Caddy: the rewritten config loads, switches
// traffic in one change, previews each color by header, and keeps the old
// color's in-flight count visible after the switch (Caddy < 2.11.2 drops
// unreferenced upstreams from /reverse_proxy/upstreams).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import type { JsonValue } from '../../src/domain/caddy-json.js';
import { findProxyHandlers } from '../../src/domain/find-proxy-handlers.js';
import { locateServiceHandlers } from '../../src/domain/locate-service-handlers.js';
import { rewriteCaddyConfig, stripPreviewRoutes } from '../../src/domain/rewrite-caddy-config.js';
import { dialsForColor, reachModeOf, serviceAddresses, type ColorInstance } from '../../src/domain/service-addresses.js';
import { silentLogger } from '../../src/log.js';
import { makeColoredService } from '../fixtures/make-service.js';
import { startCaddy } from '../rig/caddy-runner.js';
import { startHostApp } from '../rig/host-app.js';
import { httpGet } from '../rig/http-get.js';
import { waitUntil } from '../rig/wait-until.js';

test('one change switches blue to green; the preview header reaches either color; blue drains visibly', async (t) => {
  const bluePort = await startHostApp(t, 'v1');
  const greenPort = await startHostApp(t, 'v2');
  const caddy = await startCaddy({
    caddyfile: `:{{HTTP_PORT}} {\n\thandle /health {\n\t\trespond "proxy ok" 200\n\t}\n\treverse_proxy 127.0.0.1:${bluePort}\n}\n`,
  });
  t.after(() => caddy.stop());
  const admin = new CaddyAdmin(caddy.adminAddress, { logger: silentLogger() });
  t.after(() => admin.close());

  // Host mode: each color is reached on the port its container would publish.
  const service = makeColoredService('platform', () => ({}));
  const instances: ColorInstance[] = [
    { service: 'platform', color: 'blue', published: [{ containerPort: 3000, hostPort: bluePort }] },
    { service: 'platform', color: 'green', published: [{ containerPort: 3000, hostPort: greenPort }] },
  ];
  const addresses = serviceAddresses(service, instances);

  const read = await admin.readConfig();
  const base = stripPreviewRoutes(read.value as JsonValue);
  const located = locateServiceHandlers(findProxyHandlers(base), [addresses]);
  assert.ok(located.ok, JSON.stringify(located));
  const entry = located.handlers[0]!;
  assert.deepEqual(entry.dialCount, { blue: 1, green: 0 });
  const mode = reachModeOf(entry.handler.dials, addresses)!;
  const dialsByColor = { blue: dialsForColor(addresses, 'blue', mode, instances), green: dialsForColor(addresses, 'green', mode, instances) };

  // A slow request on blue is in flight while the switch happens.
  const slow = httpGet(caddy.url('/slow?ms=1500'));
  const blueDial = `127.0.0.1:${bluePort}`;
  await waitUntil('the slow request to reach blue', 1_200, async () =>
    (await admin.readUpstreams()).find((row) => row.address === blueDial)?.numRequests === 1 ? true : undefined,
  );

  const next = rewriteCaddyConfig(base, [{ service: 'platform', pointer: entry.handler.pointer, dials: dialsByColor.green }], [
    { service: 'platform', pointer: entry.handler.pointer, dialsByColor },
  ]);
  await admin.changeConfig('PATCH', '/config/apps/http/servers', (next.apps as { http: { servers: JsonValue } }).http.servers, { ifMatch: read.etag });

  assert.equal((await httpGet(caddy.url('/version'))).body, 'v2');
  assert.equal((await httpGet(caddy.url('/health'))).body, 'proxy ok', 'routes other than the proxy keep working');
  assert.equal((await httpGet(caddy.url('/version'), { headers: { 'Cutover-Color': 'blue' } })).body, 'v1');
  assert.equal((await httpGet(caddy.url('/version'), { headers: { 'Cutover-Color': 'green' } })).body, 'v2');

  // Blue's row stays listed (the preview route references it) and drains to 0.
  const rows = await admin.readUpstreams();
  assert.equal(rows.find((row) => row.address === blueDial)?.numRequests, 1, JSON.stringify(rows));
  const finished = await slow;
  assert.deepEqual([finished.status, finished.body], [200, 'v1']);
  await waitUntil('blue to drain to 0', 2_000, async () =>
    (await admin.readUpstreams()).find((row) => row.address === blueDial)?.numRequests === 0 ? true : undefined,
  );

  // Read back: the user's part points at green only, and a second identical change is a no-op.
  const after = await admin.readConfig();
  const userPart = stripPreviewRoutes(after.value as JsonValue);
  assert.deepEqual(findProxyHandlers(userPart).map((h) => h.dials), [[`127.0.0.1:${greenPort}`]]);
});
