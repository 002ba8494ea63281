import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject, JsonValue } from '../../../src/domain/caddy-json.js';
import { planSwarmCanaryStep } from '../../../src/domain/plan-swarm-canary-step.js';
import { planSwarmSwitch } from '../../../src/domain/plan-swarm-switch.js';

const DUPLICATES = { weights: 'duplicates', cookieFallback: false } as const;
const NATIVE = { weights: 'native', cookieFallback: true } as const;

function config(handlers: JsonObject[]): JsonValue {
  return { apps: { http: { servers: { srv0: { listen: [':80'], routes: handlers.map((h) => ({ handle: [h] })) } } } } };
}

const onBlue = () => config([{ handler: 'reverse_proxy', dynamic_upstreams: { source: 'a', name: 'tasks.shop_web-blue', port: '3000', refresh: '1s' }, load_balancing: { try_duration: '2s' } }]);
const tasks = { web: { blue: ['10.0.1.5', '10.0.1.6'], green: ['10.0.1.9', '10.0.1.10'] } };

function routesOf(servers: JsonObject): JsonObject[] {
  return (servers.srv0 as JsonObject).routes as JsonObject[];
}

/** The user's route (after the two preview routes) and its handler. */
function userHandler(servers: JsonObject): JsonObject {
  const routes = routesOf(servers);
  return ((routes.at(-1) as JsonObject).handle as JsonObject[])[0] as JsonObject;
}

describe('planSwarmCanaryStep', () => {
  test('from the tasks. name: static task dials of both colors, 10 % green as repeated dials on 2.6, dynamic upstreams dropped, preview routes per color, the load balancing before recorded', () => {
    const planned = planSwarmCanaryStep(onBlue(), { project: 'shop', services: ['web'], tasks, toColor: 'green', percent: 10, features: DUPLICATES, sticky: false });
    if (!planned.ok) assert.fail(planned.problems.join('; '));
    const handler = userHandler(planned.plan.servers);
    assert.equal(handler.dynamic_upstreams, undefined);
    const dials = (handler.upstreams as Array<{ dial: string }>).map((u) => u.dial);
    assert.equal(dials.filter((d) => d === '10.0.1.5:3000').length, 9);
    assert.equal(dials.filter((d) => d === '10.0.1.6:3000').length, 9);
    assert.equal(dials.filter((d) => d === '10.0.1.9:3000').length, 1);
    assert.equal(dials.filter((d) => d === '10.0.1.10:3000').length, 1);
    assert.deepEqual(handler.load_balancing, { selection_policy: { policy: 'round_robin' } });
    const routes = routesOf(planned.plan.servers);
    assert.equal(routes.length, 3);
    assert.deepEqual(routes.slice(0, 2).map((r) => r.match), [[{ header: { 'Cutover-Color': ['blue'] } }], [{ header: { 'Cutover-Color': ['green'] } }]]);
    const greenPreview = JSON.stringify(routes[1]);
    assert.ok(greenPreview.includes('10.0.1.9:3000') && !greenPreview.includes('10.0.1.5:3000'), 'the green preview reaches green\'s tasks only');
    assert.deepEqual(planned.plan.loadBalancing, { 'web@srv0/routes/0/handle/0': { try_duration: '2s' } });
    assert.deepEqual(planned.plan.handlers[0]?.byColor, { blue: ['10.0.1.5:3000', '10.0.1.6:3000'], green: ['10.0.1.9:3000', '10.0.1.10:3000'] });
    assert.equal(planned.plan.unchanged, false);
  });

  test('the next step re-planned from a changed task list: a handler with no @id found by a task address an earlier step wrote, even one Swarm replaced since', () => {
    const first = planSwarmCanaryStep(onBlue(), { project: 'shop', services: ['web'], tasks, toColor: 'green', percent: 10, features: NATIVE, sticky: false });
    if (!first.ok) assert.fail(first.problems.join('; '));
    const now = { apps: { http: { servers: first.plan.servers } } };
    // Swarm replaced blue's 10.0.1.5 by 10.0.1.7; the old address is known from the task list (ended tasks).
    const replaced = { web: { blue: ['10.0.1.7', '10.0.1.6'], green: ['10.0.1.9', '10.0.1.10'] } };
    const second = planSwarmCanaryStep(now, { project: 'shop', services: ['web'], tasks: replaced, knownAddresses: { web: ['10.0.1.5'] }, toColor: 'green', percent: 50, features: NATIVE, sticky: false });
    if (!second.ok) assert.fail(second.problems.join('; '));
    const handler = userHandler(second.plan.servers);
    assert.deepEqual((handler.upstreams as Array<{ dial: string }>).map((u) => u.dial), ['10.0.1.7:3000', '10.0.1.6:3000', '10.0.1.9:3000', '10.0.1.10:3000']);
    assert.deepEqual(handler.load_balancing, { selection_policy: { policy: 'weighted_round_robin', weights: [1, 1, 1, 1] } });
    assert.equal(routesOf(second.plan.servers).length, 3, 'the preview routes are replaced, not added again');
  });

  test('native weights: 10 % over 2 green and 2 blue tasks is 1:9 per dial', () => {
    const planned = planSwarmCanaryStep(onBlue(), { project: 'shop', services: ['web'], tasks, toColor: 'green', percent: 10, features: NATIVE, sticky: false });
    if (!planned.ok) assert.fail(planned.problems.join('; '));
    assert.deepEqual(userHandler(planned.plan.servers).load_balancing, { selection_policy: { policy: 'weighted_round_robin', weights: [9, 9, 1, 1] } });
  });

  test('refused: a color with no running task; a service no handler serves', () => {
    const planned = planSwarmCanaryStep(onBlue(), { project: 'shop', services: ['web', 'api'], tasks: { web: { blue: ['10.0.1.5'], green: [] } }, toColor: 'green', percent: 10, features: NATIVE, sticky: false });
    assert.equal(planned.ok, false);
    if (planned.ok) return;
    assert.match(planned.problems.join('\n'), /no reverse_proxy handler in Caddy's config serves api/);
    const noGreen = planSwarmCanaryStep(onBlue(), { project: 'shop', services: ['web'], tasks: { web: { blue: ['10.0.1.5'], green: [] } }, toColor: 'green', percent: 10, features: NATIVE, sticky: false });
    assert.deepEqual(noGreen.ok ? [] : noGreen.problems, ['web has no running green task to send the canary\'s share to']);
  });
});

describe('planSwarmSwitch after a canary step', () => {
  test('back to way A: the weighted handler (no @id, found by its task addresses) on the color\'s tasks. name, its load balancing put back, the preview routes gone; weighted while it was', () => {
    const step = planSwarmCanaryStep(onBlue(), { project: 'shop', services: ['web'], tasks, toColor: 'green', percent: 50, features: DUPLICATES, sticky: false });
    if (!step.ok) assert.fail(step.problems.join('; '));
    const now = { apps: { http: { servers: step.plan.servers } } };
    const back = planSwarmSwitch(now, { project: 'shop', services: ['web'], color: 'blue', taskAddresses: { web: [...tasks.web.blue, ...tasks.web.green] }, restoreLoadBalancing: step.plan.loadBalancing });
    if (!back.ok) assert.fail(back.problems.join('; '));
    assert.equal(back.plan.weighted, true);
    assert.equal(back.plan.live, undefined);
    assert.deepEqual(back.plan.servers, (onBlue() as { apps: { http: { servers: JsonObject } } }).apps.http.servers, 'exactly the config before the canary');
    // Without the task addresses the weighted handler is not recognised.
    assert.equal(planSwarmSwitch(now, { project: 'shop', services: ['web'], color: 'blue' }).ok, false);
  });
});
