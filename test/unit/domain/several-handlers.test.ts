/**
 * A service with several reverse_proxy handlers (the reference stack sends
 * `platform` to ports 3000, 3210, 3211 and 6791 under many matchers):
 * locating every handler, switching all of them in one change each on its own
 * port, canary weights per handler, the way back to plain names, and what
 * stays refused. Table-driven over two and four ports, on the compose network
 * and on the host.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Color, ColoredService } from '../../../src/config/model.js';
import { serversOf, type JsonObject, type JsonValue } from '../../../src/domain/caddy-json.js';
import { findProxyHandlers } from '../../../src/domain/find-proxy-handlers.js';
import { locateServiceHandlers } from '../../../src/domain/locate-service-handlers.js';
import { handlerKey, loadBalancingByHandler, planPlain, planSwitch, type SwitchOptions } from '../../../src/domain/plan-switch.js';
import { readTraffic } from '../../../src/domain/read-traffic.js';
import { hasPreviewRoutes, stripPreviewRoutes } from '../../../src/domain/rewrite-caddy-config.js';
import { serviceAddresses, type ColorInstance } from '../../../src/domain/service-addresses.js';
import { proxy, readView } from '../../fixtures/make-caddy-config.js';
import { expectPlan } from '../../fixtures/make-project.js';
import { makeColoredService, seedStyleService } from '../../fixtures/make-service.js';

const KEEP = { headers: { response: { delete: ['Cutover-Keep'] } } };

/** A route the way the Caddyfile adapter writes `handle <path> { reverse_proxy ... }`: a subroute under a path matcher. */
function handled(path: string, handler: JsonObject): JsonObject {
  return { match: [{ path: [path] }], handle: [{ handler: 'subroute', routes: [{ handle: [handler] }] }], terminal: true };
}

/** Two servers (a site and an internal listener), `platform` on each given port under its own matcher, and handlers of other backends. */
function config(platformDials: Readonly<Record<number, readonly string[]>>, extra: JsonObject[] = []): JsonObject {
  const routes = Object.entries(platformDials).map(([port, dials]) => handled(`/p${port}/*`, proxy(dials)));
  return {
    apps: {
      http: {
        servers: {
          srv0: { listen: [':443'], routes: [...routes, handled('/auth/*', proxy(['auth:9000'])), ...extra] },
          srv1: { listen: [':8080'], routes: [{ handle: [proxy(platformDials[3000] ?? [])] }] },
        },
      },
    },
  };
}

const platform = seedStyleService('platform');
const rag = seedStyleService('rag');
const dialsOf = (servers: JsonObject): string[][] => findProxyHandlers(stripPreviewRoutes({ apps: { http: { servers } } })).map((h) => h.dials);
const plan = (from: JsonValue, color: Color, options: SwitchOptions = {}, services: readonly ColoredService[] = [platform], instances: readonly ColorInstance[] = []) =>
  expectPlan(planSwitch(readView(from, services, instances), color, instances, serversOf(from), options));
const named = (ports: readonly number[], host: string): Record<number, string[]> => Object.fromEntries(ports.map((p) => [p, [`${host}:${p}`]]));

describe('several handlers per service: located on every port, matcher and server', () => {
  for (const ports of [
    [3000, 3210],
    [3000, 3210, 3211, 6791],
  ]) {
    test(`${ports.length} ports: every handler of platform is found, the others are not`, () => {
      const handlers = findProxyHandlers(config(named(ports, 'platform')));
      const located = locateServiceHandlers(handlers, [serviceAddresses(platform, [])]);
      assert.ok(located.ok, JSON.stringify(located));
      // One per port on srv0, and srv1's handler on 3000.
      assert.deepEqual(
        located.handlers.map((h) => [h.handler.server, h.handler.dials[0]]),
        [...ports.map((p) => ['srv0', `platform:${p}`]), ['srv1', 'platform:3000']],
      );
      const view = readView(config(named(ports, 'platform')), [platform]);
      assert.deepEqual(view.services[0]?.handlers.map((h) => h.port), [...ports, 3000]);
      assert.deepEqual(view.live, { kind: 'plain' });
    });
  }
});

describe('several handlers per service: one change switches them all, each on its own port', () => {
  const cases: Array<{ name: string; ports: number[]; from: string; to: Color; expect: string }> = [
    { name: '2 ports, first deploy from the plain name', ports: [3000, 3210], from: 'platform', to: 'blue', expect: 'platform-blue' },
    { name: '2 ports, blue to green', ports: [3000, 3210], from: 'platform-blue', to: 'green', expect: 'platform-green' },
    { name: '4 ports, first deploy from the plain name', ports: [3000, 3210, 3211, 6791], from: 'platform', to: 'blue', expect: 'platform-blue' },
    { name: '4 ports, green back to blue (rollback)', ports: [3000, 3210, 3211, 6791], from: 'platform-green', to: 'blue', expect: 'platform-blue' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const from = config(named(c.ports, c.from));
      const p = plan(from, c.to);
      assert.deepEqual(dialsOf(p.servers), [...c.ports.map((port) => [`${c.expect}:${port}`]), ['auth:9000'], [`${c.expect}:3000`]]);
      assert.deepEqual(p.handlers.map((h) => h.port), [...c.ports, 3000]);
      assert.deepEqual(p.byPort.map((b) => [b.service, b.port, b.to]), c.ports.map((port) => ['platform', port, [`${c.expect}:${port}`]]));
      assert.deepEqual(p.services[0]?.byColor, { blue: c.ports.map((port) => `platform-blue:${port}`), green: c.ports.map((port) => `platform-green:${port}`) });
      // Both servers get their preview routes; planned again over its own result, nothing is left to send.
      assert.ok(hasPreviewRoutes({ apps: { http: { servers: p.servers } } }));
      const next = { apps: { http: { servers: p.servers } } };
      assert.equal(plan(next, c.to).unchanged, true);
      assert.deepEqual(readView(next, [platform]).live, { kind: 'color', color: c.to });
    });
  }

  test('host mode, 2 ports: each handler gets the port the color publishes for its container port', () => {
    const hostPlatform = makeColoredService('platform', (color) => ({
      ports: [3000, 3210].map((containerPort) => ({ hostIp: '127.0.0.1', hostPort: (color === 'blue' ? 8100 : 8200) + (containerPort % 100), containerPort, protocol: 'tcp' as const })),
    }));
    const from = config({ 3000: ['127.0.0.1:8100'], 3210: ['127.0.0.1:8110'] });
    const instances: ColorInstance[] = (['blue', 'green'] as const).map((color) => ({
      service: 'platform',
      color,
      published: [
        { containerPort: 3000, hostPort: color === 'blue' ? 8100 : 8200 },
        { containerPort: 3210, hostPort: color === 'blue' ? 8110 : 8210 },
      ],
    }));
    const p = plan(from, 'green', {}, [hostPlatform], instances);
    assert.deepEqual(dialsOf(p.servers), [['127.0.0.1:8200'], ['127.0.0.1:8210'], ['auth:9000'], ['127.0.0.1:8200']]);
  });

  test('a missing port of the new color is refused for that port, nothing sent', () => {
    const hostPlatform = makeColoredService('platform', (color) => ({ ports: [{ hostIp: '127.0.0.1', hostPort: color === 'blue' ? 8100 : 8200, containerPort: 3000, protocol: 'tcp' as const }] }));
    const blueOnBoth: ColorInstance[] = [{ service: 'platform', color: 'blue', published: [{ containerPort: 3000, hostPort: 8100 }, { containerPort: 3210, hostPort: 8110 }] }];
    const green: ColorInstance = { service: 'platform', color: 'green', published: [{ containerPort: 3000, hostPort: 8200 }] };
    const instances = [...blueOnBoth, green];
    const from = config({ 3000: ['127.0.0.1:8100'], 3210: ['127.0.0.1:8110'] });
    const result = planSwitch(readView(from, [hostPlatform], instances), 'green', instances, serversOf(from));
    assert.deepEqual(result, {
      ok: false,
      problems: ['platform has no green upstream for port 3210 to switch to (no running container of that color publishes container port 3210 on the host)'],
    });
  });
});

describe('several handlers per service: canary weights and the way back', () => {
  const features = { weights: 'duplicates' as const, cookieFallback: false };
  for (const ports of [
    [3000, 3210],
    [3000, 3210, 3211, 6791],
  ]) {
    test(`${ports.length} ports: each handler is weighted on its own port (25% green)`, () => {
      const p = plan(config(named(ports, 'platform-blue')), 'green', { split: { percent: 25, features, sticky: false } });
      const expected = (port: number) => [...Array<string>(3).fill(`platform-blue:${port}`), `platform-green:${port}`];
      assert.deepEqual(dialsOf(p.servers), [...ports.map(expected), ['auth:9000'], expected(3000)]);
      const view = readView({ apps: { http: { servers: p.servers } } }, [platform]);
      assert.equal(view.live.kind, 'mixed');
    });

    test(`${ports.length} ports: the user's load balancing comes back per handler, a bare service key for all`, () => {
      const lb = { selection_policy: { policy: 'first' } };
      const from = config(named(ports, 'platform-blue'));
      const keys = Object.keys(loadBalancingByHandler(readView(from, [platform])));
      assert.equal(keys.length, ports.length + 1);
      const [firstKey] = keys;
      const p = plan(from, 'blue', { restoreLoadBalancing: { [firstKey as string]: lb } });
      assert.deepEqual(
        findProxyHandlers(stripPreviewRoutes({ apps: { http: { servers: p.servers } } })).map((h) => h.handler.load_balancing ?? null),
        [lb, ...ports.slice(1).map(() => null), null, null],
      );
      const all = plan(from, 'blue', { restoreLoadBalancing: { platform: lb } });
      const lbs = findProxyHandlers(stripPreviewRoutes({ apps: { http: { servers: all.servers } } })).map((h) => h.handler.load_balancing ?? null);
      assert.deepEqual(lbs, [...ports.map(() => lb), null, lb]);
      assert.equal(firstKey, handlerKey('platform', ['apps', 'http', 'servers', 'srv0', 'routes', 0, 'handle', 0, 'routes', 0, 'handle', 0]));
    });

    test(`${ports.length} ports: back to plain names, each on its port`, () => {
      const from = config(named(ports, 'platform-green'));
      const p = planPlain(readView(from, [platform]), serversOf(from));
      assert.deepEqual(dialsOf(p.servers), [...ports.map((port) => [`platform:${port}`]), ['auth:9000'], ['platform:3000']]);
      assert.deepEqual(p.services, ports.map((port) => ({ service: 'platform', port, dials: [`platform:${port}`] })));
    });
  }
});

describe('several handlers per service: what stays refused, and leaving a handler alone', () => {
  const cases: Array<{ name: string; config: JsonObject; services: ColoredService[]; expect: RegExp | string[] }> = [
    {
      name: 'a handler that mixes the service with a foreign upstream',
      config: config({ 3000: ['platform:3000'], 3210: ['platform:3210', 'other:80'] }),
      services: [platform],
      expect: /^the reverse_proxy handler srv0 routes\/1\/handle\/0\/routes\/0\/handle\/0 \(platform:3210 other:80\) proxies to platform and also to other:80; .*header_down -Cutover-Keep/,
    },
    {
      name: 'two services in one handler',
      config: config({ 3000: ['platform:3000'] }, [handled('/mixed/*', proxy(['platform:3210', 'rag:8001']))]),
      services: [platform, rag],
      expect: /^platform and rag are served by the same reverse_proxy handler \(srv0 routes\/2\/handle\/0\/routes\/0\/handle\/0 \(platform:3210 rag:8001\)\); give each service its own$/,
    },
    {
      name: 'the keep marker on a handler that reaches no colored service',
      config: config({ 3000: ['platform:3000'] }, [handled('/x/*', proxy(['other:80'], KEEP))]),
      services: [platform],
      expect: /^the reverse_proxy handler srv0 routes\/2\/handle\/0\/routes\/0\/handle\/0 \(other:80\) is marked Cutover-Keep but reaches no colored service: remove the marker/,
    },
    {
      name: 'every handler of a service marked to keep',
      config: { apps: { http: { servers: { srv0: { routes: [handled('/a/*', proxy(['platform:3000'], KEEP))] } } } } },
      services: [platform],
      expect: /^every reverse_proxy handler of platform is marked Cutover-Keep \(srv0 .*\): leave at least one for cutover to switch$/,
    },
  ];
  for (const c of cases) {
    test(`refused: ${c.name} (one line)`, () => {
      const read = readTraffic(c.config, c.services, []);
      assert.equal(read.ok, false);
      const problems = (read as { problems: string[] }).problems;
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0] as string, c.expect as RegExp);
      assert.doesNotMatch(problems[0] as string, /\n/);
    });
  }

  test('a handler marked Cutover-Keep is left as it is, even mixing the service with another backend', () => {
    const from = config({ 3000: ['platform:3000'], 3210: ['platform:3210'] }, [handled('/pinned/*', proxy(['platform-blue:6791', 'other:80'], KEEP))]);
    const p = plan(from, 'green');
    assert.deepEqual(dialsOf(p.servers), [['platform-green:3000'], ['platform-green:3210'], ['auth:9000'], ['platform-blue:6791', 'other:80'], ['platform-green:3000']]);
    assert.deepEqual(p.handlers.map((h) => h.port), [3000, 3210, 3000]);
  });

  test('an internal service (an alias both colors carry, as the final overlays give rag) may have no handler; one without is refused', () => {
    const internal = makeColoredService('rag', (color) => ({ networks: [{ key: 'internal', aliases: [`rag-${color}`, 'rag'] }] }));
    const from = config({ 3000: ['platform:3000'] });
    const view = readView(from, [platform, internal]);
    assert.deepEqual(view.services.map((s) => [s.service, s.handlers.length]), [['platform', 2], ['rag', 0]]);
    assert.deepEqual(view.live, { kind: 'plain' });
    assert.deepEqual(dialsOf(plan(from, 'blue', {}, [platform, internal]).servers), [['platform-blue:3000'], ['auth:9000'], ['platform-blue:3000']]);
    const refused = readTraffic(from, [platform, rag], []);
    assert.equal(refused.ok ? 0 : refused.problems.length, 1);
    assert.match(refused.ok ? '' : (refused.problems[0] as string), /^no reverse_proxy handler in Caddy's config serves rag: looked for/);
    const none = readTraffic(config({}), [internal], []);
    assert.match(none.ok ? '' : (none.problems[0] as string), /^no reverse_proxy handler in Caddy's config serves any colored service \(rag\)/);
  });

  test('handlers of another colored service are never changed by the other one, and @id adds a handler', () => {
    const from = config({ 3000: ['platform-blue:3000'] }, [handled('/rag/*', proxy(['rag-blue:8001'])), handled('/tagged/*', proxy(['rag-blue:8002'], { '@id': 'cutover-rag' }))]);
    const p = plan(from, 'green', {}, [platform, rag]);
    assert.deepEqual(dialsOf(p.servers), [['platform-green:3000'], ['auth:9000'], ['rag-green:8001'], ['rag-green:8002'], ['platform-green:3000']]);
  });
});

describe("the reference repository's newest Caddyfile (adapted by Caddy 2.6.2, 2.7+ lines dropped)", () => {
  // test/fixtures/caddy/newest-index-adapted.json: `caddy adapt` of seed-configs/newest-index-404f0061/Caddyfile as
  // test/rig/reference-stack-project.ts prepares it, with SITE_ORIGIN=http://tale.local, DOCS_ORIGIN=http://docs.tale.local.
  const newest = JSON.parse(readFileSync(new URL('../../fixtures/caddy/newest-index-adapted.json', import.meta.url), 'utf8')) as JsonObject;
  // As the final overlays define it: its own alias and container name per color, and the shared alias `platform`.
  const finalPlatform = makeColoredService('platform', (color) => ({ containerName: `tale-platform-${color}`, networks: [{ key: 'internal', aliases: [`platform-${color}`, 'platform'] }] }));

  test('every platform handler is switched (7, all on 3000, under matchers and nested handles); convex and docs handlers stay', () => {
    const before = findProxyHandlers(newest).map((h) => h.dials);
    const view = readView(newest, [finalPlatform]);
    assert.deepEqual(view.services[0]?.handlers.map((h) => h.port), [3000, 3000, 3000, 3000, 3000, 3000, 3000]);
    const p = plan(newest, 'blue', {}, [finalPlatform]);
    assert.deepEqual(
      dialsOf(p.servers),
      before.map((dials) => dials.map((dial) => dial.replace(/^platform:/, 'platform-blue:'))),
    );
    assert.ok(before.flat().some((dial) => dial.startsWith('convex:')), 'the fixture has other backends, left as they are');
    const back = plan({ apps: { http: { servers: p.servers } } }, 'green', {}, [finalPlatform]);
    assert.equal(dialsOf(back.servers).flat().filter((dial) => dial === 'platform-green:3000').length, 7);
  });
});
