import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planSwarmCleanup } from '../../../src/domain/plan-swarm-cleanup.js';

const at = '2026-01-01T00:00:00.000Z';
const active = { color: 'blue' as const, version: 'v1', since: at };
const existing = [
  { name: 'shop_api-blue', color: 'blue' as const, version: 'v1' },
  { name: 'shop_api-green', color: 'green' as const, version: 'v2' },
  { name: 'shop_web-blue', color: 'blue' as const, version: 'v1' },
  { name: 'shop_web-green', color: 'green' as const, version: undefined },
];

describe('planSwarmCleanup', () => {
  test('removes every existing service of the color Caddy does not send traffic to, never the live color\'s', () => {
    const planned = planSwarmCleanup({ live: 'blue', state: { active, operation: null }, existing });
    assert.deepEqual(planned, { ok: true, plan: { active: 'blue', activeVersion: 'v1', remove: [{ name: 'shop_api-green', version: 'v2' }, { name: 'shop_web-green', version: 'unknown' }] } });
  });

  test('Caddy decides the live color, not the state file (whose version is then unknown); nothing to remove is a plan too', () => {
    const planned = planSwarmCleanup({ live: 'green', state: { active, operation: null }, existing });
    assert.ok(planned.ok);
    assert.deepEqual(planned.plan.remove.map((s) => s.name), ['shop_api-blue', 'shop_web-blue']);
    assert.equal(planned.plan.activeVersion, 'unknown');
    const none = planSwarmCleanup({ live: 'blue', state: null, existing: existing.filter((s) => s.color === 'blue') });
    assert.deepEqual(none, { ok: true, plan: { active: 'blue', activeVersion: 'unknown', remove: [] } });
  });

  test('refused while an operation is open, and when Caddy names no color or both', () => {
    const operation = { id: 'deploy-2', kind: 'deploy' as const, fromColor: 'blue' as const, toColor: 'green' as const, fromVersion: 'v1', toVersion: 'v2', phase: 'waiting-healthy', phaseStartedAt: at, phases: [], startedAt: at, pid: 7, host: 'h', stopOld: false, previousStandby: null, parked: [] };
    const open = planSwarmCleanup({ live: 'blue', state: { active, operation }, existing });
    assert.equal(open.ok, false);
    assert.equal(!open.ok && open.message, 'a deploy to v2 (green, phase waiting-healthy, pid 7 on h) is recorded as open; nothing was removed');
    for (const live of [undefined, 'mixed' as const]) {
      const refused = planSwarmCleanup({ live, state: { active, operation: null }, existing });
      assert.ok(!refused.ok && /nothing was removed$/.test(refused.message), String(live));
    }
  });
});
