import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SwarmColorService } from '../../../src/domain/plan-swarm-deploy.js';
import { planSwarmRollback, type StandbyServiceNow } from '../../../src/domain/plan-swarm-rollback.js';

const svc = (over: Partial<StandbyServiceNow>): StandbyServiceNow => ({ name: 'shop_web-blue', exists: true, replicas: 2, running: 2, planned: 2, ...over });

describe('planSwarmRollback', () => {
  test('running standby services are switched to as they are: nothing to scale', () => {
    assert.deepEqual(planSwarmRollback({ version: 'v1', services: [svc({}), svc({ name: 'shop_api-blue', replicas: 1, running: 1, planned: 1 })] }), { ok: true, scale: [], create: [] });
  });

  test('a service at 0 replicas is scaled to the replicas the compose files give it (at least 1); the running ones are left alone', () => {
    const planned = planSwarmRollback({ version: 'v1', services: [svc({ replicas: 0, running: 0, planned: 3 }), svc({ name: 'shop_api-blue' }), svc({ name: 'shop_db-blue', replicas: 0, running: 0, planned: 0 })] });
    assert.deepEqual(planned, { ok: true, scale: [{ name: 'shop_web-blue', replicas: 3 }, { name: 'shop_db-blue', replicas: 1 }], create: [] });
  });

  test('a gone service is created again from the planned record; the others are scaled or left alone', () => {
    const recreate = [{ service: 'api', name: 'shop_api-blue', replicas: 2, spec: {} as SwarmColorService['spec'] }, { service: 'web', name: 'shop_web-blue', replicas: 2, spec: {} as SwarmColorService['spec'] }];
    const planned = planSwarmRollback({ version: 'v1', services: [svc({ replicas: 0, running: 0 }), svc({ name: 'shop_api-blue', exists: false, replicas: 0, running: 0 })], recreate });
    assert.deepEqual(planned, { ok: true, scale: [{ name: 'shop_web-blue', replicas: 2 }], create: [recreate[0]] });
  });

  test('refused, naming the service: one that is gone and cannot be planned again, or one that should run and has no running task', () => {
    assert.deepEqual(planSwarmRollback({ version: 'v1', services: [svc({ replicas: 0, running: 0 }), svc({ name: 'shop_api-blue', exists: false, replicas: 0, running: 0 })], recreateProblems: ['api: ports: published ports are cluster-wide'] }), {
      ok: false, message: 'the standby service shop_api-blue is gone and cannot be created again: api: ports: published ports are cluster-wide; nothing was changed', hint: 'deploy v1 again instead',
    });
    const stuck = planSwarmRollback({ version: 'v1', services: [svc({ running: 0 })] });
    assert.ok(!stuck.ok);
    assert.equal(stuck.message, 'the standby service shop_web-blue has no running task; nothing was changed');
    assert.match(stuck.hint, /docker service ps shop_web-blue/);
  });
});
