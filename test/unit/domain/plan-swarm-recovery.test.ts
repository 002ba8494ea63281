import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planSwarmRecovery, type SwarmInstanceColor, type SwarmServiceSeen } from '../../../src/domain/plan-swarm-recovery.js';
import type { Operation } from '../../../src/state/state-schema.js';

const at = '2026-01-01T00:00:00.000Z';
const op = (over: Partial<Operation> = {}): Operation => ({
  id: 'deploy-3', kind: 'deploy', fromColor: 'blue', toColor: 'green', fromVersion: 'v1', toVersion: 'v2', phase: 'waiting-healthy',
  phaseStartedAt: at, phases: [], startedAt: at, pid: 42, host: 'h', stopOld: false, previousStandby: null, parked: [], ...over,
});
const one = (live: SwarmInstanceColor['live']): SwarmInstanceColor[] => [{ address: 'unix//a.sock', live }];
// blue runs v1 (an earlier deploy's); green's services were created by deploy-3, except api's, left by an earlier one.
const services: SwarmServiceSeen[] = [
  { name: 'shop_web-blue', color: 'blue', operation: 'deploy-1' },
  { name: 'shop_api-blue', color: 'blue', operation: undefined },
  { name: 'shop_web-green', color: 'green', operation: 'deploy-3' },
  { name: 'shop_worker-green', color: 'green', operation: 'deploy-3' },
  { name: 'shop_api-green', color: 'green', operation: 'deploy-2' },
];

describe('planSwarmRecovery', () => {
  test('Caddy still on the old color: undone, removing only what that operation created', () => {
    const planned = planSwarmRecovery({ coloredCount: 3, operation: op(), instances: one('blue'), services });
    assert.deepEqual(planned, {
      ok: true,
      plan: {
        direction: 'undo',
        remove: ['shop_web-green', 'shop_worker-green'],
        swarmServices: { blue: ['shop_api-blue', 'shop_web-blue'], green: ['shop_api-green'] },
        reason: 'deploy to v2 (green) interrupted in phase waiting-healthy; Caddy sends every colored service to blue: undone (shop_web-green, shop_worker-green removed)',
        keepStandby: false,
      },
    });
  });

  test('Caddy already on the new color (killed after the switch): finished, nothing removed, both colors recorded', () => {
    const planned = planSwarmRecovery({ coloredCount: 3, operation: op({ phase: 'switching' }), instances: [...one('green'), { address: 'unix//b.sock', live: 'green' }], services });
    assert.ok(planned.ok);
    assert.equal(planned.plan.direction, 'finish');
    assert.deepEqual(planned.plan.remove, []);
    assert.deepEqual(planned.plan.swarmServices, { blue: ['shop_api-blue', 'shop_web-blue'], green: ['shop_api-green', 'shop_web-green', 'shop_worker-green'] });
    assert.match(planned.plan.reason, /phase switching; Caddy sends every colored service to green: finished$/);
  });

  test('a first deploy: Caddy on no color is undone, on the new color finished', () => {
    const first = op({ fromColor: null, fromVersion: null, toColor: 'blue', toVersion: 'v1', id: 'deploy-1' });
    const undone = planSwarmRecovery({ coloredCount: 3, operation: first, instances: one(undefined), services: [{ name: 'shop_web-blue', color: 'blue', operation: 'deploy-1' }] });
    assert.ok(undone.ok);
    assert.deepEqual([undone.plan.direction, undone.plan.remove, undone.plan.swarmServices], ['undo', ['shop_web-blue'], {}]);
    const finished = planSwarmRecovery({ coloredCount: 3, operation: first, instances: one('blue'), services: [{ name: 'shop_web-blue', color: 'blue', operation: 'deploy-1' }] });
    assert.ok(finished.ok);
    assert.deepEqual([finished.plan.direction, finished.plan.remove], ['finish', []]);
  });

  test('a deploy killed before it removed the previous standby keeps it: its color still has every service, none of them the operation\'s', () => {
    const standby: SwarmServiceSeen[] = [
      { name: 'shop_web-blue', color: 'blue', operation: 'deploy-2' },
      { name: 'shop_web-green', color: 'green', operation: 'deploy-1' },
    ];
    const planned = planSwarmRecovery({ coloredCount: 1, operation: op({ phase: 'starting' }), instances: one('blue'), services: standby });
    assert.ok(planned.ok);
    assert.deepEqual([planned.plan.direction, planned.plan.remove, planned.plan.keepStandby], ['undo', [], true]);
    const partly = planSwarmRecovery({ coloredCount: 2, operation: op({ phase: 'starting' }), instances: one('blue'), services: standby });
    assert.ok(partly.ok && !partly.plan.keepStandby, 'one of two standby services already gone: the standby is not kept');
  });

  test('never removes a service of the live color, even one labelled with the operation', () => {
    const planned = planSwarmRecovery({ coloredCount: 3, operation: op(), instances: one('blue'), services: [{ name: 'shop_web-blue', color: 'blue', operation: 'deploy-3' }] });
    assert.ok(planned.ok);
    assert.deepEqual(planned.plan.remove, []);
  });

  test('a rollback: finished on its color; undone on the old one, with nothing to remove (it creates no service)', () => {
    const rollback = op({ id: 'rollback-4', kind: 'rollback', fromColor: 'green', toColor: 'blue', fromVersion: 'v2', toVersion: 'v1', phase: 'starting' });
    const finished = planSwarmRecovery({ coloredCount: 3, operation: rollback, instances: one('blue'), services });
    assert.ok(finished.ok && finished.plan.direction === 'finish');
    const undone = planSwarmRecovery({ coloredCount: 3, operation: rollback, instances: one('green'), services });
    assert.ok(undone.ok);
    assert.deepEqual([undone.plan.direction, undone.plan.remove], ['undo', []]);
  });

  test('a cleanup: finished by removing the other color\'s services; refused when the color it kept is no longer live', () => {
    const cleanup = op({ id: 'cleanup-5', kind: 'cleanup', fromColor: null, fromVersion: null, toColor: 'blue', toVersion: 'v1', phase: 'removing' });
    const planned = planSwarmRecovery({ coloredCount: 3, operation: cleanup, instances: one('blue'), services });
    assert.ok(planned.ok);
    assert.deepEqual([planned.plan.direction, planned.plan.remove, planned.plan.swarmServices], ['finish', ['shop_api-green', 'shop_web-green', 'shop_worker-green'], { blue: ['shop_api-blue', 'shop_web-blue'] }]);
    const refused = planSwarmRecovery({ coloredCount: 3, operation: cleanup, instances: one('green'), services });
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.message, /^cannot settle the cleanup to v1 \(blue\) interrupted in phase removing: it kept blue, but Caddy sends every colored service to green; nothing was changed$/);
  });

  test('refused, changing nothing: Caddy on no color after a deploy that had one, on both colors, instances that disagree', () => {
    const cases: Array<[SwarmInstanceColor[], RegExp]> = [
      [one(undefined), /Caddy names no color's tasks, neither blue nor green; nothing was changed$/],
      [one('mixed'), /Caddy at unix\/\/a\.sock sends some colored services to blue's tasks and some to green's; nothing was changed$/],
      [[...one('blue'), { address: 'unix//b.sock', live: 'green' }], /the Caddy instances disagree: unix\/\/a\.sock → blue, unix\/\/b\.sock → green; nothing was changed$/],
    ];
    for (const [instances, message] of cases) {
      const planned = planSwarmRecovery({ coloredCount: 3, operation: op(), instances, services });
      assert.equal(planned.ok, false);
      if (planned.ok) continue;
      assert.match(planned.message, message);
      assert.doesNotMatch(planned.message, /\n/, 'one line');
      assert.match(planned.hint, /cutover --engine swarm reconcile/);
    }
  });
  describe('a canary caught in a weighted step (task addresses of both colors)', () => {
    const canary = op({ kind: 'canary', phase: 'canary-step', canary: { steps: [10, 50], stepIndex: 0, pauseAfter: [], paused: false, originalLoadBalancing: {}, weights: { blue: 90, green: 10 } } });
    const weighted = (address: string): SwarmInstanceColor => ({ address, live: undefined, weighted: true });

    test('every instance weighted, or back on the old color: back to the old color\'s tasks. name, then undone', () => {
      for (const instances of [[weighted('unix//a.sock')], [weighted('unix//a.sock'), { address: 'unix//b.sock', live: 'blue' as const }]]) {
        const planned = planSwarmRecovery({ coloredCount: 3, operation: canary, instances, services });
        assert.ok(planned.ok);
        assert.deepEqual([planned.plan.direction, planned.plan.revertTo, planned.plan.remove], ['undo', 'blue', ['shop_web-green', 'shop_worker-green']]);
        assert.match(planned.plan.reason, /^canary to v2 \(green\) interrupted in phase canary-step; Caddy sends traffic to task addresses of both colors \(a canary step\): put back on blue's tasks\. name and undone \(shop_web-green, shop_worker-green removed\)$/);
      }
    });

    test('refused, nothing changed: one instance weighted and another on the new color; weighted handlers with no canary recorded', () => {
      const split = planSwarmRecovery({ coloredCount: 3, operation: canary, instances: [weighted('unix//a.sock'), { address: 'unix//b.sock', live: 'green' }], services });
      assert.equal(split.ok, false);
      assert.match(split.ok ? '' : split.message, /unix\/\/a\.sock → task addresses of both colors, unix\/\/b\.sock → green; nothing was changed$/);
      assert.equal(planSwarmRecovery({ coloredCount: 3, operation: op(), instances: [weighted('unix//a.sock')], services }).ok, false);
    });

    test('a canary killed before its first step (Caddy on the old color) is undone without a switch; after its final switch, finished', () => {
      const before = planSwarmRecovery({ coloredCount: 3, operation: canary, instances: one('blue'), services });
      assert.ok(before.ok);
      assert.deepEqual([before.plan.direction, before.plan.revertTo], ['undo', undefined]);
      const after = planSwarmRecovery({ coloredCount: 3, operation: canary, instances: one('green'), services });
      assert.ok(after.ok);
      assert.equal(after.plan.direction, 'finish');
    });
  });
});
