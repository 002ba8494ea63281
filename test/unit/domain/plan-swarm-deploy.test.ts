import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planSwarmDeploy } from '../../../src/domain/plan-swarm-deploy.js';
import { makeProject } from '../../fixtures/make-project.js';
import { makeColoredService } from '../../fixtures/make-service.js';

const overlay = { internal: { name: 'demo_internal', external: false, driver: 'overlay' } };

function project(perColor: Parameters<typeof makeColoredService>[1] = () => ({})) {
  return {
    ...makeProject([
      makeColoredService('web', (color) => ({ image: `shop/web:v2`, replicas: 2, networks: [{ key: 'internal', aliases: [`web-${color}`] }], ...perColor(color) })),
      makeColoredService('api', () => ({ image: 'shop/api:v2', networks: [{ key: 'internal', aliases: [] }] })),
    ]),
    networks: overlay,
  };
}

describe('planSwarmDeploy', () => {
  test('a first deploy goes to blue: one service per colored service, nothing is the standby', () => {
    const planned = planSwarmDeploy({ project: project(), version: 'v2', live: undefined });
    assert.ok(planned.ok, JSON.stringify(planned));
    assert.equal(planned.plan.toColor, 'blue');
    assert.equal(planned.plan.fromColor, undefined);
    assert.deepEqual(planned.plan.create.map((s) => [s.name, s.replicas, s.spec.TaskTemplate.Networks]), [
      ['demo_web-blue', 2, [{ Target: 'demo_internal', Aliases: ['web-blue'] }]],
      ['demo_api-blue', 1, [{ Target: 'demo_internal' }]],
    ]);
    assert.deepEqual(planned.plan.removeFirst, ['demo_web-blue', 'demo_api-blue']);
    assert.deepEqual(planned.plan.standby, []);
  });

  test('with blue live: green is created (replacing an older standby), blue becomes the standby', () => {
    const planned = planSwarmDeploy({ project: project(), version: 'v3', live: 'blue' });
    assert.ok(planned.ok);
    assert.equal(planned.plan.toColor, 'green');
    assert.deepEqual(planned.plan.create.map((s) => s.name), ['demo_web-green', 'demo_api-green']);
    assert.equal(planned.plan.create[0]?.spec.Labels['cutover.version'], 'v3');
    assert.deepEqual(planned.plan.removeFirst, ['demo_web-green', 'demo_api-green']);
    assert.deepEqual(planned.plan.standby, ['demo_web-blue', 'demo_api-blue']);
  });

  test('keys Swarm cannot honour are refused, all at once, each with its service and path', () => {
    const planned = planSwarmDeploy({
      project: project(() => ({ container: { config: {}, hostConfig: { Privileged: true } } as never })),
      version: 'v2',
      live: 'green',
    });
    assert.ok(!planned.ok);
    assert.equal(planned.problems.length, 1);
    assert.match(planned.problems[0] as string, /^web: .*privileged: Swarm services cannot run privileged/);
  });

  test('a project without colored services is refused', () => {
    const planned = planSwarmDeploy({ project: makeProject([]), version: 'v2', live: undefined });
    assert.ok(!planned.ok);
    assert.match(planned.problems[0] as string, /name no service/);
  });
});
