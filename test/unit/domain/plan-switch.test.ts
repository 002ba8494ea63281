/**
 * planSwitch and planPlain, table-driven over small Caddy configs: the one
 * change that points every service at a color (or a weighted split of both),
 * what it refuses, that planning it again over its own result changes
 * nothing, and the way back to plain Compose names.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Color, ColoredService } from '../../../src/config/model.js';
import { serversOf, type JsonObject, type JsonValue } from '../../../src/domain/caddy-json.js';
import { findProxyHandlers } from '../../../src/domain/find-proxy-handlers.js';
import { planPlain, planSwitch, type SwitchOptions, type SwitchPlan } from '../../../src/domain/plan-switch.js';
import { hasPreviewRoutes, stripPreviewRoutes } from '../../../src/domain/rewrite-caddy-config.js';
import type { ColorInstance } from '../../../src/domain/service-addresses.js';
import { readView, routesFor } from '../../fixtures/make-caddy-config.js';
import { expectPlan, expectRefusal } from '../../fixtures/make-project.js';
import { makeColoredService, seedStyleService } from '../../fixtures/make-service.js';

const network = [seedStyleService('web'), seedStyleService('api')];
const blueLive = routesFor({ web: ['web-blue:3000'], api: ['api-blue:3000'] });
const rag = makeColoredService('rag', (color) => ({ ports: [{ hostIp: '127.0.0.1', hostPort: color === 'blue' ? 8101 : 8201, containerPort: 3000, protocol: 'tcp' }] }));
const ragRunning = (...colors: Color[]): ColorInstance[] => colors.map((color) => ({ service: 'rag', color, published: [{ containerPort: 3000, hostPort: color === 'blue' ? 8101 : 8201 }] }));

/** Plans over `config` as it is now, as the switch does. */
function plan(config: JsonValue, color: Color, options: SwitchOptions = {}, services: readonly ColoredService[] = network, instances: readonly ColorInstance[] = []) {
  return planSwitch(readView(config, services, instances), color, instances, serversOf(config), options);
}

function planned(config: JsonValue, color: Color, options: SwitchOptions = {}, services: readonly ColoredService[] = network, instances: readonly ColorInstance[] = []): SwitchPlan {
  return expectPlan(plan(config, color, options, services, instances));
}

/** The user's handlers (preview routes left out) of the servers a plan sends. */
const handlersOf = (servers: JsonObject) => findProxyHandlers(stripPreviewRoutes({ apps: { http: { servers } } }));
const configOf = (servers: JsonObject): JsonObject => ({ apps: { http: { servers } } });

describe('planSwitch: a full switch', () => {
  const cases: Array<{ name: string; from: JsonValue; to: Color; dials: string[][]; unchanged: boolean }> = [
    { name: 'blue to green: every service at once', from: blueLive, to: 'green', dials: [['web-green:3000'], ['api-green:3000']], unchanged: false },
    { name: 'from plain names to blue (first deploy)', from: routesFor({ web: ['web:3000'], api: ['api:3000'] }), to: 'blue', dials: [['web-blue:3000'], ['api-blue:3000']], unchanged: false },
    { name: 'a split back to one color', from: routesFor({ web: ['web-blue:3000', 'web-green:3000'], api: ['api-blue:3000'] }), to: 'blue', dials: [['web-blue:3000'], ['api-blue:3000']], unchanged: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = planned(c.from, c.to);
      assert.equal(p.color, c.to);
      assert.deepEqual(handlersOf(p.servers).map((h) => h.dials), c.dials);
      assert.deepEqual(p.services.map((s) => s.to), c.dials);
      assert.deepEqual(p.services.map((s) => [s.service, s.ports[0], s.byColor]), [
        ['web', 3000, { blue: ['web-blue:3000'], green: ['web-green:3000'] }],
        ['api', 3000, { blue: ['api-blue:3000'], green: ['api-green:3000'] }],
      ]);
      assert.equal(p.unchanged, c.unchanged);
      assert.ok(hasPreviewRoutes(configOf(p.servers)), 'the preview routes keep both colors reachable');
    });
  }

  test('planned again over its own result, nothing is left to send', () => {
    const once = planned(blueLive, 'green');
    const again = planned(configOf(once.servers), 'green');
    assert.equal(again.unchanged, true);
    assert.deepEqual(again.services.map((s) => s.from), [['web-green:3000'], ['api-green:3000']]);
  });

  test('host mode: refused when no running container of the color publishes the port, naming the service', () => {
    const result = plan(routesFor({ rag: ['127.0.0.1:8101'] }), 'green', {}, [rag], ragRunning('blue'));
    assert.deepEqual(result, { ok: false, problems: ['rag has no green upstream for port 3000 to switch to (no running container of that color publishes container port 3000 on the host)'] });
  });
});

describe('planSwitch: a canary split', () => {
  const cases: Array<{ name: string; options: SwitchOptions; dials: string[]; loadBalancing: JsonValue }> = [
    {
      name: '25% to green with weighted_round_robin (Caddy 2.7+)',
      options: { split: { percent: 25, features: { weights: 'native', cookieFallback: true }, sticky: false } },
      dials: ['web-blue:3000', 'web-green:3000'],
      loadBalancing: { selection_policy: { policy: 'weighted_round_robin', weights: [3, 1] } },
    },
    {
      name: '25% to green by duplicated entries (Caddy 2.6)',
      options: { split: { percent: 25, features: { weights: 'duplicates', cookieFallback: false }, sticky: false } },
      dials: ['web-blue:3000', 'web-blue:3000', 'web-blue:3000', 'web-green:3000'],
      loadBalancing: { selection_policy: { policy: 'round_robin' } },
    },
    {
      name: 'sticky with a fallback policy',
      options: { split: { percent: 50, features: { weights: 'native', cookieFallback: true }, sticky: true } },
      dials: ['web-blue:3000', 'web-green:3000'],
      loadBalancing: { selection_policy: { policy: 'cookie', name: 'cutover_color', fallback: { policy: 'weighted_round_robin', weights: [1, 1] } } },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const [web] = handlersOf(planned(blueLive, 'green', c.options).servers);
      assert.deepEqual([web?.dials, web?.handler.load_balancing], [c.dials, c.loadBalancing]);
    });
  }

  test('the final switch puts back the load balancing the user had (none: removed)', () => {
    const split = planned(blueLive, 'green', cases[0]!.options);
    const user = { selection_policy: { policy: 'first' } };
    const [web, api] = handlersOf(planned(configOf(split.servers), 'green', { restoreLoadBalancing: { web: null, api: user } }).servers);
    assert.deepEqual([web?.handler.load_balancing, api?.handler.load_balancing], [undefined, user]);
  });

  test('a split needs both colors: refused when one does not run', () => {
    expectRefusal(plan(routesFor({ rag: ['127.0.0.1:8101'] }), 'green', cases[0]!.options, [rag], ragRunning('green')), /^rag has no blue upstream for port 3000 to switch to/);
  });
});

describe('planPlain: back to plain Compose names', () => {
  test('network mode: each service by its plain name on the port Caddy uses, preview routes gone', () => {
    const switched = configOf(planned(blueLive, 'green').servers);
    const p = planPlain(readView(switched, network), serversOf(switched));
    assert.deepEqual([p.plain, p.unreachable, p.unchanged], [['web', 'api'], [], false]);
    assert.deepEqual(p.services, [
      { service: 'web', port: 3000, dials: ['web:3000'] },
      { service: 'api', port: 3000, dials: ['api:3000'] },
    ]);
    assert.deepEqual(findProxyHandlers(configOf(p.servers)).map((h) => h.dials), [['web:3000'], ['api:3000']]);
    assert.equal(hasPreviewRoutes(configOf(p.servers)), false);
  });

  test('host mode has no plain address: the service is reported and left as it is', () => {
    const config = routesFor({ rag: ['127.0.0.1:8101'] });
    const p = planPlain(readView(config, [rag], ragRunning('blue')), serversOf(config));
    assert.deepEqual([p.plain, p.unreachable, p.unchanged], [[], ['rag'], true]);
  });
});
