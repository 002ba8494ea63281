import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planRecovery, type RecoveringCommand } from '../../../src/domain/plan-recovery.js';
import type { LiveTraffic } from '../../../src/domain/read-traffic.js';
import type { Operation } from '../../../src/state/state-schema.js';

function operation(overrides: Partial<Operation> = {}): Operation {
  return {
    id: 'deploy-1',
    kind: 'deploy',
    fromColor: 'blue',
    toColor: 'green',
    fromVersion: 'v1',
    toVersion: 'v2',
    phase: 'switching',
    phaseStartedAt: '2026-01-01T00:00:01.000Z',
    phases: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    pid: 42,
    host: 'web1',
    stopOld: false,
    previousStandby: null,
    parked: [],
    ...overrides,
  };
}

const reset = (phase: string): Partial<Operation> => ({ kind: 'reset', fromColor: 'blue', toColor: 'blue', fromVersion: 'v1', toVersion: 'v1', phase });
const canary = { steps: [10, 50], stepIndex: 0, pauseAfter: [], paused: false, originalLoadBalancing: {}, weights: { blue: 90, green: 10 } };
const on = (color: 'blue' | 'green'): LiveTraffic => ({ kind: 'color', color });
const plain: LiveTraffic = { kind: 'plain' };
const mixed: LiveTraffic = { kind: 'mixed', detail: 'app → blue + green' };

describe('planRecovery', () => {
  const cases: Array<[string, Partial<Operation>, LiveTraffic, RecoveringCommand, { direction: string; switchTo: string | undefined; outcome: string }]> = [
    ['killed after Caddy took the switch: finished as it is', { phase: 'switching' }, on('green'), 'other', { direction: 'finish', switchTo: undefined, outcome: 'succeeded' }],
    ['killed while draining: finished', { phase: 'draining' }, on('green'), 'other', { direction: 'finish', switchTo: undefined, outcome: 'succeeded' }],
    ['killed before the switch: undone as it is', { phase: 'waiting-healthy' }, on('blue'), 'other', { direction: 'undo', switchTo: undefined, outcome: 'interrupted' }],
    ['killed in the switch before Caddy took it: undone', { phase: 'switching' }, on('blue'), 'other', { direction: 'undo', switchTo: undefined, outcome: 'interrupted' }],
    ['first deploy killed before the switch: Caddy still on plain names', { fromColor: null, fromVersion: null, phase: 'starting' }, plain, 'other', { direction: 'undo', switchTo: undefined, outcome: 'interrupted' }],
    ['canary killed between steps: back to the old color', { kind: 'canary', phase: 'canary-step', canary }, mixed, 'other', { direction: 'undo', switchTo: 'blue', outcome: 'interrupted' }],
    ['canary killed between steps, then abort', { kind: 'canary', phase: 'paused', canary }, mixed, 'abort', { direction: 'undo', switchTo: 'blue', outcome: 'aborted' }],
    ['canary killed between steps, then promote: one switch to the new color', { kind: 'canary', phase: 'paused', canary }, mixed, 'promote', { direction: 'finish', switchTo: 'green', outcome: 'succeeded' }],
    ['canary killed after its last switch: finished whatever the command', { kind: 'canary', phase: 'verifying', canary }, on('green'), 'abort', { direction: 'finish', switchTo: undefined, outcome: 'succeeded' }],
    ['Caddy restarted onto plain names while draining: the verified color is switched to again', { phase: 'draining' }, plain, 'other', { direction: 'finish', switchTo: 'green', outcome: 'succeeded' }],
    ['Caddy restarted onto plain names before verification: switched back', { phase: 'verifying' }, plain, 'other', { direction: 'undo', switchTo: 'blue', outcome: 'interrupted' }],
    ['a first deploy seen mixed before verification: back to plain names', { fromColor: null, fromVersion: null, phase: 'switching' }, mixed, 'other', { direction: 'undo', switchTo: 'plain', outcome: 'interrupted' }],
    ['rollback killed after the switch: finished', { kind: 'rollback', fromColor: 'green', toColor: 'blue', fromVersion: 'v2', toVersion: 'v1', phase: 'verifying' }, on('blue'), 'other', { direction: 'finish', switchTo: undefined, outcome: 'succeeded' }],
    // A reset from blue (v1): it starts the plain services, switches Caddy to them, drains blue, removes the colors.
    ['reset killed while starting the plain services: Caddy on the old color, undone', reset('starting'), on('blue'), 'other', { direction: 'undo', switchTo: undefined, outcome: 'interrupted' }],
    ['reset killed while waiting for them: undone', reset('waiting-healthy'), on('blue'), 'other', { direction: 'undo', switchTo: undefined, outcome: 'interrupted' }],
    ['reset killed in the switch before Caddy took it: undone', reset('switching'), on('blue'), 'other', { direction: 'undo', switchTo: undefined, outcome: 'interrupted' }],
    ['reset killed right after Caddy took the switch: finished as it is', reset('switching'), plain, 'other', { direction: 'finish', switchTo: undefined, outcome: 'succeeded' }],
    ['reset killed while draining: finished', reset('draining'), plain, 'other', { direction: 'finish', switchTo: undefined, outcome: 'succeeded' }],
    ['reset killed while removing the colors: finished', reset('removing'), plain, 'other', { direction: 'finish', switchTo: undefined, outcome: 'succeeded' }],
    ['reset killed while draining, then Caddy went back to a color: switched to plain again, finished', reset('draining'), on('green'), 'other', { direction: 'finish', switchTo: 'plain', outcome: 'succeeded' }],
    ['reset killed before its switch, Caddy elsewhere: back to the old color, undone', reset('waiting-healthy'), mixed, 'other', { direction: 'undo', switchTo: 'blue', outcome: 'interrupted' }],
    ['reset killed before its switch, then promote or abort: the same undo', reset('starting'), on('blue'), 'abort', { direction: 'undo', switchTo: undefined, outcome: 'interrupted' }],
    ['cleanup killed halfway: done again', { kind: 'cleanup', fromColor: null, fromVersion: null, toColor: 'green', phase: 'removing' }, on('green'), 'other', { direction: 'finish', switchTo: undefined, outcome: 'succeeded' }],
  ];
  for (const [name, overrides, live, command, expected] of cases) {
    test(name, () => {
      const plan = planRecovery(operation(overrides), live, command);
      assert.deepEqual({ direction: plan.direction, switchTo: plan.switchTo, outcome: plan.outcome }, expected);
      assert.match(plan.reason, new RegExp(`interrupted in phase ${overrides.phase ?? 'switching'}`));
    });
  }

  test('the reason says what Caddy showed and what was done, for the history', () => {
    assert.equal(planRecovery(operation({ phase: 'draining' }), on('green'), 'other').reason, 'deploy to v2 interrupted in phase draining; Caddy sends every service to green: finished');
  });
});
