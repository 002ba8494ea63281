import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject, JsonValue } from '../../../src/domain/caddy-json.js';
import { planSwarmSwitch, SWARM_DNS_REFRESH } from '../../../src/domain/plan-swarm-switch.js';

function config(handlers: JsonObject[]): JsonValue {
  return { apps: { http: { servers: { srv0: { listen: [':80'], routes: handlers.map((h) => ({ handle: [h] })) } } } } };
}

function handlerAt(planned: ReturnType<typeof planSwarmSwitch>, index: number): JsonObject {
  if (!planned.ok) assert.fail(planned.problems.join('; '));
  return ((planned.plan.servers.srv0 as JsonObject).routes as JsonObject[])[index]?.handle as unknown as JsonObject;
}

describe('planSwarmSwitch', () => {
  test('a first deploy: the @id handler with a static dial becomes dynamic upstreams on the color\'s tasks, port from the dial; other fields stay', () => {
    const before = config([{ '@id': 'cutover-web', handler: 'reverse_proxy', upstreams: [{ dial: 'placeholder:3000' }], load_balancing: { try_duration: '2s' } }]);
    const planned = planSwarmSwitch(before, { project: 'shop', services: ['web'], color: 'blue' });
    assert.ok(planned.ok);
    assert.equal(planned.plan.live, undefined);
    assert.equal(planned.plan.unchanged, false);
    assert.deepEqual((handlerAt(planned, 0) as unknown as JsonObject[])[0], {
      '@id': 'cutover-web',
      handler: 'reverse_proxy',
      load_balancing: { try_duration: '2s' },
      dynamic_upstreams: { source: 'a', name: 'tasks.shop_web-blue', port: '3000', refresh: SWARM_DNS_REFRESH },
    });
    // The input is left untouched.
    assert.ok('upstreams' in (((before as JsonObject).apps as JsonObject).http as { servers: { srv0: { routes: Array<{ handle: JsonObject[] }> } } }).servers.srv0.routes[0]!.handle[0]!);
  });

  test('blue to green: every handler of every service, found by its tasks. name, keeps its own port and refresh; live is blue', () => {
    const planned = planSwarmSwitch(
      config([
        { handler: 'reverse_proxy', dynamic_upstreams: { source: 'a', name: 'tasks.shop_web-blue', port: '3000', refresh: '5s' } },
        { handler: 'reverse_proxy', dynamic_upstreams: { source: 'a', name: 'tasks.shop_web-blue', port: '9090' } },
        { handler: 'reverse_proxy', dynamic_upstreams: { source: 'a', name: 'tasks.shop_api-blue', port: '8080' } },
        { handler: 'reverse_proxy', upstreams: [{ dial: 'db:5432' }] },
      ]),
      { project: 'shop', services: ['web', 'api'], color: 'green' },
    );
    assert.ok(planned.ok);
    assert.equal(planned.plan.live, 'blue');
    assert.deepEqual(planned.plan.handlers.map((h) => [h.service, h.port, h.from]), [['web', '3000', 'blue'], ['web', '9090', 'blue'], ['api', '8080', 'blue']]);
    const dynamic = (i: number) => ((handlerAt(planned, i) as unknown as JsonObject[])[0] as JsonObject).dynamic_upstreams;
    assert.deepEqual(dynamic(0), { source: 'a', name: 'tasks.shop_web-green', port: '3000', refresh: '5s' });
    assert.deepEqual(dynamic(1), { source: 'a', name: 'tasks.shop_web-green', port: '9090', refresh: SWARM_DNS_REFRESH });
    assert.deepEqual(dynamic(2), { source: 'a', name: 'tasks.shop_api-green', port: '8080', refresh: SWARM_DNS_REFRESH });
    // A handler of no colored service is left alone.
    assert.deepEqual((handlerAt(planned, 3) as unknown as JsonObject[])[0], { handler: 'reverse_proxy', upstreams: [{ dial: 'db:5432' }] });
  });

  test('already on the color: unchanged; handlers on different colors: mixed', () => {
    const onGreen = config([{ handler: 'reverse_proxy', dynamic_upstreams: { source: 'a', name: 'tasks.shop_web-green', port: '3000', refresh: '1s' } }]);
    const same = planSwarmSwitch(onGreen, { project: 'shop', services: ['web'], color: 'green' });
    assert.ok(same.ok && same.plan.unchanged && same.plan.live === 'green');
    const mixed = planSwarmSwitch(
      config([
        { handler: 'reverse_proxy', dynamic_upstreams: { source: 'a', name: 'tasks.shop_web-green', port: '3000' } },
        { handler: 'reverse_proxy', dynamic_upstreams: { source: 'a', name: 'tasks.shop_web-blue', port: '3001' } },
      ]),
      { project: 'shop', services: ['web'], color: 'green' },
    );
    assert.ok(mixed.ok && mixed.plan.live === 'mixed');
  });

  test('refused, one line each: a service no handler serves, a handler without a port', () => {
    const planned = planSwarmSwitch(config([{ '@id': 'cutover-api', handler: 'reverse_proxy' }]), { project: 'shop', services: ['web', 'api'], color: 'blue' });
    assert.ok(!planned.ok);
    assert.equal(planned.problems.length, 2);
    assert.match(planned.problems[0] as string, /no reverse_proxy handler .* serves web: give one @id cutover-web, or dynamic upstreams on tasks\.shop_web-blue/);
    assert.match(planned.problems[1] as string, /cutover-api of api has no port/);
  });
});
