/**
 * planRollback, table-driven: an instant switch to the warm standby when it
 * runs the previous version complete and healthy, else a start of that
 * version first; refused when there is no single live color to leave.
 * Then the dry-run text of both kinds of rollback.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KnownContainer } from '../../../src/domain/plan-deploy.js';
import { renderDeployPlan } from '../../../src/domain/plan-deploy.js';
import { planRollback, type RollbackInput } from '../../../src/domain/plan-rollback.js';
import { expectPlan, expectRefusal, makeContainer, makeProject } from '../../fixtures/make-project.js';
import { makeColoredService } from '../../fixtures/make-service.js';

const project = makeProject([makeColoredService('web', () => ({ image: 'r/web:v1' })), makeColoredService('api', () => ({ image: 'r/api:v1', replicas: 2 }))]);
const live = [makeContainer('web', 'blue', 'v2'), makeContainer('api', 'blue', 'v2', { name: 'api-blue-1' }), makeContainer('api', 'blue', 'v2', { name: 'api-blue-2' })];
/** Green v1 complete: web and both api replicas. */
const standby = (overrides: Partial<KnownContainer> = {}): KnownContainer[] => [
  makeContainer('web', 'green', 'v1', overrides),
  makeContainer('api', 'green', 'v1', { name: 'api-green-1' }),
  makeContainer('api', 'green', 'v1', { name: 'api-green-2' }),
];

function rollbackInput(overrides: Partial<RollbackInput> = {}): RollbackInput {
  return {
    project,
    live: { kind: 'color', color: 'blue' },
    previousVersion: 'v1',
    liveVersion: 'v2',
    containers: [...live, ...standby()],
    sharedPresent: new Set(),
    imagesPresent: new Set(['r/web:v1', 'r/api:v1']),
    pull: undefined,
    ...overrides,
  };
}

describe('planRollback', () => {
  const cases: Array<{ name: string; input: Partial<RollbackInput>; expect: 'instant' | 'start' | RegExp }> = [
    { name: 'green runs v1 complete and healthy: an instant switch to it', input: {}, expect: 'instant' },
    { name: 'a standby without healthcheck (running, health none) counts as ready', input: { containers: [...live, ...standby({ health: 'none' })] }, expect: 'instant' },
    { name: 'a standby container still starting: v1 is started again', input: { containers: [...live, ...standby({ health: 'starting' })] }, expect: 'start' },
    { name: 'a standby container exited: started again', input: { containers: [...live, ...standby({ state: 'exited' })] }, expect: 'start' },
    { name: 'the standby runs another version: started again', input: { containers: [...live, ...standby({ version: 'v0' })] }, expect: 'start' },
    { name: 'one api replica of two is missing: started again', input: { containers: [...live, ...standby().slice(0, 2)] }, expect: 'start' },
    { name: 'no standby at all (cleaned up): started again', input: { containers: live }, expect: 'start' },
    { name: 'never deployed (plain names): refused', input: { live: { kind: 'plain' } }, expect: /^nothing was deployed with cutover yet: there is nothing to roll back to$/ },
    { name: 'split traffic: refused, naming the split', input: { live: { kind: 'mixed', detail: 'web → blue + green' } }, expect: /\(web → blue \+ green\); point every service at one color first$/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const planned = planRollback(rollbackInput(c.input));
      if (c.expect instanceof RegExp) return expectRefusal(planned, c.expect);
      const plan = expectPlan(planned);
      assert.deepEqual([plan.kind, plan.version, plan.fromColor, plan.toColor, plan.stopOld], ['rollback', 'v1', 'blue', 'green', false]);
      assert.deepEqual(plan.old.map((o) => o.name), ['web-blue', 'api-blue-1', 'api-blue-2']);
      if (c.expect === 'instant') {
        assert.deepEqual([plan.start, plan.pull, plan.replace, plan.startShared], [[], [], [], []]);
        assert.deepEqual(plan.reuse.map((r) => r.name), ['web-green', 'api-green-1', 'api-green-2']);
      } else {
        assert.deepEqual(plan.start.map((s) => `${s.service} x${s.replicas}`), ['web x1', 'api x2']);
        assert.deepEqual(plan.reuse, []);
        assert.deepEqual(plan.replace.map((r) => r.name), (c.input.containers ?? []).filter((k) => k.color === 'green').map((k) => k.name));
      }
    });
  }
});

describe('renderDeployPlan for a rollback', () => {
  test('onto the warm standby: an instant switch of every service, nothing started', () => {
    assert.equal(
      renderDeployPlan(expectPlan(planRollback(rollbackInput()))),
      [
        'rollback to v1: an instant switch from blue (v2) back to the warm standby green, which already runs v1; nothing is pulled or started',
        '  1. use the warm standby as it runs: web-green (v1, healthy), api-green-1 (v1, healthy), api-green-2 (v1, healthy)',
        '  2. switch all 2 services to green in one Caddy change (If-Match)',
        '  3. verify: read Caddy back',
        '  4. drain blue: wait until Caddy has no request in flight to it',
        '  5. keep blue running as warm standby',
        '  6. record the rollback in the state file',
        '',
      ].join('\n'),
    );
  });

  test('without a ready standby: says the previous version is started first, then the switch', () => {
    const text = renderDeployPlan(expectPlan(planRollback(rollbackInput({ containers: live, imagesPresent: new Set(['r/web:v1']) }))));
    assert.match(text, /^rollback to v1: green does not run v1 ready, so it is started there first \(like a deploy\); then traffic moves from blue \(v2\) to green\n/);
    assert.match(text, /^ {2}1\. pull r\/api:v1\n {2}2\. start green: web \(r\/web:v1\), api x2 \(r\/api:v1\)\n {2}3\. wait until every green container is healthy\n {2}4\. switch all 2 services to green/m);
    assert.doesNotMatch(text, /resolve each image/);
  });
});
