import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isJsonObject, type JsonObject, type JsonValue } from '../../../src/domain/caddy-json.js';
import { findProxyHandlers } from '../../../src/domain/find-proxy-handlers.js';
import { liveColors, locateServiceHandlers } from '../../../src/domain/locate-service-handlers.js';
import { rewriteCaddyConfig, stripPreviewRoutes } from '../../../src/domain/rewrite-caddy-config.js';
import { classifyDial, dialsForColor, parseDial, reachModeOf, serviceAddresses } from '../../../src/domain/service-addresses.js';
import { proxy, server } from '../../fixtures/make-caddy-config.js';
import { makeColoredService, seedStyleService } from '../../fixtures/make-service.js';

const seedV1 = JSON.parse(readFileSync(new URL('../../fixtures/caddy/bluegreen-v1-adapted.json', import.meta.url), 'utf8')) as JsonObject;

describe('parseDial', () => {
  const cases: Array<[string, ReturnType<typeof parseDial>]> = [
    ['platform-blue:3000', { host: 'platform-blue', port: 3000 }],
    ['tcp/127.0.0.1:8101', { host: '127.0.0.1', port: 8101 }],
    ['[::1]:80', { host: '[::1]', port: 80 }],
    ['unix//run/app.sock', undefined],
    ['{env.BACKEND}', undefined],
    ['platform', undefined],
    ['platform:99999', undefined],
  ];
  for (const [dial, expected] of cases) test(dial, () => assert.deepEqual(parseDial(dial), expected));
});

describe('classifying dials of a service', () => {
  const network = serviceAddresses(seedStyleService('platform'), []);
  const host = serviceAddresses(
    makeColoredService('rag', (color) => ({ ports: [{ hostIp: '127.0.0.1', hostPort: color === 'blue' ? 8101 : 8201, containerPort: 3000, protocol: 'tcp' }] })),
    [{ service: 'rag', color: 'green', published: [{ containerPort: 3000, hostPort: 40123 }] }],
  );
  const cases: Array<[string, typeof network, string]> = [
    ['platform-blue:3000', network, 'blue'],
    ['tale-platform-green:3000', network, 'green'],
    ['platform:3000', network, 'neutral'],
    ['db:5432', network, 'foreign'],
    ['127.0.0.1:8101', host, 'blue'],
    ['localhost:8201', host, 'green'],
    ['127.0.0.1:40123', host, 'green'],
    ['127.0.0.1:9999', host, 'foreign'],
  ];
  for (const [dial, addresses, expected] of cases) {
    test(`${dial} → ${expected}`, () => {
      const owner = classifyDial(dial, addresses);
      assert.equal(owner.kind === 'color' ? owner.color : owner.kind, expected);
    });
  }

  test('host mode gives one dial per running replica', () => {
    const instances = [
      { service: 'rag', color: 'green' as const, published: [{ containerPort: 3000, hostPort: 40123 }] },
      { service: 'rag', color: 'green' as const, published: [{ containerPort: 3000, hostPort: 40124 }] },
      { service: 'rag', color: 'blue' as const, published: [{ containerPort: 3000, hostPort: 8101 }] },
    ];
    const addresses = serviceAddresses(
      makeColoredService('rag', (color) => ({ ports: [{ hostIp: '127.0.0.1', hostPort: color === 'blue' ? 8101 : undefined, containerPort: 3000, protocol: 'tcp' }] })),
      instances,
    );
    const mode = reachModeOf(['127.0.0.1:8101'], addresses);
    assert.deepEqual(mode, { kind: 'host', containerPort: 3000 });
    assert.deepEqual(dialsForColor(addresses, 'green', mode!, instances), ['127.0.0.1:40123', '127.0.0.1:40124']);
  });

  test('network mode uses the color alias and the port Caddy already uses', () => {
    const mode = reachModeOf(['platform:3000'], network);
    assert.deepEqual(mode, { kind: 'network', port: 3000 });
    assert.deepEqual(dialsForColor(network, 'green', mode!, []), ['platform-green:3000']);
  });
});

describe('locating the handlers of each colored service', () => {
  test('the v1 seed Caddyfile (both colors and the plain name listed) is found by its dials', () => {
    const handlers = findProxyHandlers(seedV1);
    const result = locateServiceHandlers(handlers, [serviceAddresses(seedStyleService('platform'), [])]);
    assert.ok(result.ok, JSON.stringify(result));
    const [entry] = result.handlers;
    assert.deepEqual(entry?.dialCount, { blue: 1, green: 1 });
    assert.equal(entry?.neutralDials, 1);
    assert.deepEqual(liveColors(entry!), ['blue', 'green']);
  });

  test('@id cutover-<service> names a handler too; every handler that reaches the service is located', () => {
    const config = server([
      { handle: [proxy(['platform-blue:3000'])] },
      { handle: [proxy(['platform-green:3000'], { '@id': 'cutover-platform' })] },
    ]);
    const result = locateServiceHandlers(findProxyHandlers(config), [serviceAddresses(seedStyleService('platform'), [])]);
    assert.ok(result.ok);
    assert.deepEqual(result.handlers.map((h) => h.handler.id ?? null), [null, 'cutover-platform']);
  });

  test('zero, several, mixed and shared handlers are each a problem with a clear message', () => {
    const platform = serviceAddresses(seedStyleService('platform'), []);
    const rag = serviceAddresses(seedStyleService('rag'), []);
    const none = locateServiceHandlers(findProxyHandlers(server([{ handle: [proxy(['db:5432'])] }])), [platform]);
    assert.deepEqual(none, {
      ok: false,
      problems: [
        "no reverse_proxy handler in Caddy's config serves platform: looked for @id cutover-platform or upstreams platform-blue:*, tale-platform-blue:*, platform-green:*, tale-platform-green:*, platform:*",
      ],
    });
    const several = locateServiceHandlers(
      findProxyHandlers(server([{ handle: [proxy(['platform-blue:3000'])] }, { handle: [proxy(['platform:3210'])] }])),
      [platform],
    );
    assert.equal(several.ok, true, 'several handlers of one service are all switched');
    const mixed = locateServiceHandlers(findProxyHandlers(server([{ handle: [proxy(['platform-blue:3000', 'other:80'])] }])), [platform]);
    assert.match((mixed as { problems: string[] }).problems[0]!, /proxies to platform and also to other:80; cutover replaces all upstreams of a handler/);
    const shared = locateServiceHandlers(findProxyHandlers(server([{ handle: [proxy(['platform-blue:3000', 'rag-blue:8001'])] }])), [platform, rag]);
    assert.equal(shared.ok, false);
  });

  test('handlers inside subroutes are found; preview routes are not', () => {
    const config = server([
      { '@id': 'cutover-preview-srv0-green', handle: [{ handler: 'subroute', routes: [{ handle: [proxy(['platform-green:3000'])] }] }] },
      { match: [{ host: ['example.test'] }], handle: [{ handler: 'subroute', routes: [{ handle: [proxy(['platform-blue:3000'])] }] }] },
    ]);
    const found = findProxyHandlers(config);
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]?.pointer, ['apps', 'http', 'servers', 'srv0', 'routes', 1, 'handle', 0, 'routes', 0, 'handle', 0]);
  });
});

describe('rewriting the config for a switch', () => {
  const platform = seedStyleService('platform');
  const addresses = serviceAddresses(platform, []);

  function switchTo(config: JsonValue, color: 'blue' | 'green'): JsonObject {
    const base = stripPreviewRoutes(config);
    const result = locateServiceHandlers(findProxyHandlers(base), [addresses]);
    assert.ok(result.ok);
    const entry = result.handlers[0]!;
    const mode = reachModeOf(entry.handler.dials, addresses)!;
    return rewriteCaddyConfig(
      base,
      [{ service: 'platform', pointer: entry.handler.pointer, dials: dialsForColor(addresses, color, mode, []) }],
      [{ service: 'platform', pointer: entry.handler.pointer, dialsByColor: { blue: dialsForColor(addresses, 'blue', mode, []), green: dialsForColor(addresses, 'green', mode, []) } }],
    );
  }

  test('only the upstreams change; every other setting stays byte for byte', () => {
    const next = switchTo(seedV1, 'green');
    const userPart = stripPreviewRoutes(next) as JsonObject;
    const [handler] = findProxyHandlers(userPart);
    assert.deepEqual(handler?.dials, ['platform-green:3000']);
    // Put the old upstreams back: the rest must equal the original exactly.
    const restored = structuredClone(userPart);
    const original = findProxyHandlers(seedV1)[0]!;
    const restoredHandler = findProxyHandlers(restored)[0]!.handler;
    restoredHandler.upstreams = original.handler.upstreams!;
    assert.equal(JSON.stringify(restored), JSON.stringify(seedV1));
  });

  test('one preview route per color, first in the server, matched only by the Cutover-Color header, without @ids', () => {
    const next = switchTo(seedV1, 'green');
    const routes = ((next.apps as JsonObject).http as JsonObject).servers as JsonObject;
    const srvRoutes = (routes.srv0 as JsonObject).routes as JsonObject[];
    assert.deepEqual(srvRoutes.slice(0, 2).map((r) => r['@id']), ['cutover-preview-srv0-blue', 'cutover-preview-srv0-green']);
    assert.deepEqual(srvRoutes[0]?.match, [{ header: { 'Cutover-Color': ['blue'] } }]);
    const previewDials = findProxyHandlers({ apps: { http: { servers: { p: { routes: (srvRoutes[0]!.handle as JsonObject[])[0]!.routes! } } } } }).map((h) => h.dials);
    assert.deepEqual(previewDials, [['platform-blue:3000']]);
    assert.ok(!JSON.stringify(srvRoutes.slice(0, 2)).includes('"@id":"cutover-platform"'));
  });

  test('switching again replaces the preview routes instead of stacking them, and is stable', () => {
    const once = switchTo(seedV1, 'green');
    const twice = switchTo(once, 'green');
    assert.equal(JSON.stringify(twice), JSON.stringify(once));
    const back = switchTo(once, 'blue');
    assert.deepEqual(findProxyHandlers(stripPreviewRoutes(back)).map((h) => h.dials), [['platform-blue:3000']]);
    const srvRoutes = (((back.apps as JsonObject).http as JsonObject).servers as JsonObject).srv0 as JsonObject;
    assert.equal((srvRoutes.routes as JsonValue[]).filter((r) => isJsonObject(r) && String(r['@id']).startsWith('cutover-preview')).length, 2);
  });
});
