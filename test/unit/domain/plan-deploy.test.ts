/**
 * planDeploy, table-driven: which color a deploy starts and stops, what it
 * replaces, starts and pulls, and what it refuses before touching anything.
 * Then the dry-run text of a deploy plan.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ColoredService } from '../../../src/config/model.js';
import { planDeploy, renderDeployPlan, type DeployInput, type DeployPlan } from '../../../src/domain/plan-deploy.js';
import { expectPlan, expectRefusal, makeContainer, makeProject } from '../../fixtures/make-project.js';
import { makeColoredService, makeSpec } from '../../fixtures/make-service.js';

const service = (name: string, replicas = 1, image = `r/${name}:v2`): ColoredService => makeColoredService(name, () => ({ image, replicas }));
const db = makeSpec({ name: 'db', image: 'postgres:16' });
const project = makeProject([service('web'), service('api', 2)], [db]);

/** Blue v1 live with its standby green v0, db running, every image present. */
function deployInput(overrides: Partial<DeployInput> = {}): DeployInput {
  return {
    project,
    version: 'v2',
    live: { kind: 'color', color: 'blue' },
    liveVersion: 'v1',
    toColor: 'green',
    containers: [makeContainer('web', 'blue', 'v1'), makeContainer('api', 'blue', 'v1'), makeContainer('web', 'green', 'v0'), makeContainer('db', undefined, '')],
    sharedPresent: new Set(['db']),
    imagesPresent: new Set(['r/web:v2', 'r/api:v2', 'postgres:16']),
    pull: undefined,
    stopOld: false,
    ...overrides,
  };
}

/** What a plan does, in names. */
function summary(plan: DeployPlan) {
  return {
    from: plan.fromColor ?? null,
    to: plan.toColor,
    pull: plan.pull,
    startShared: plan.startShared,
    replace: plan.replace.map((c) => c.name),
    start: plan.start.map((s) => `${s.service} x${s.replicas} ${s.image}`),
    old: plan.old.map((c) => c.name),
    stopOld: plan.stopOld,
  };
}

const startBoth = ['web x1 r/web:v2', 'api x2 r/api:v2'];

describe('planDeploy', () => {
  const cases: Array<{ name: string; input: Partial<DeployInput>; expect: Partial<ReturnType<typeof summary>> | RegExp }> = [
    {
      name: 'blue live: green is started beside it, its old standby replaced, blue kept as the old color',
      input: {},
      expect: { from: 'blue', to: 'green', pull: [], startShared: [], replace: ['web-green'], start: startBoth, old: ['web-blue', 'api-blue'], stopOld: false },
    },
    {
      name: 'first deploy (plain names): nothing old, nothing replaced',
      input: { live: { kind: 'plain' }, liveVersion: undefined, toColor: 'blue', containers: [makeContainer('db', undefined, '')] },
      expect: { from: null, to: 'blue', replace: [], start: startBoth, old: [] },
    },
    { name: '--stop-old is carried into the plan', input: { stopOld: true }, expect: { stopOld: true } },
    { name: 'a missing image is pulled under the default policy', input: { imagesPresent: new Set(['r/web:v2', 'postgres:16']) }, expect: { pull: ['r/api:v2'] } },
    { name: '--pull always pulls present images too', input: { pull: 'always' }, expect: { pull: ['r/web:v2', 'r/api:v2'] } },
    {
      name: 'a shared service without a container is started, its missing image pulled first',
      input: { sharedPresent: new Set(), imagesPresent: new Set(['r/web:v2', 'r/api:v2']) },
      expect: { startShared: ['db'], pull: ['postgres:16'] },
    },
    { name: "a present shared service's image is never pulled", input: { imagesPresent: new Set(['r/web:v2', 'r/api:v2']), pull: 'always' }, expect: { pull: ['r/web:v2', 'r/api:v2'] } },
    { name: '--pull never with a missing image: refused, naming it', input: { pull: 'never', imagesPresent: new Set(['r/web:v2']) }, expect: /^image r\/api:v2 is not on this Docker engine and --pull never forbids pulling it$/ },
    {
      name: 'an image without ${VERSION}: refused, naming the fix',
      input: { project: makeProject([{ ...service('web', 1, 'r/web:pinned'), imageFollowsVersion: false }]) },
      expect: /^the image of web \(r\/web:pinned\) does not use \$\{VERSION\}.*write it as name:\$\{VERSION\}$/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const planned = planDeploy(deployInput(c.input));
      if (c.expect instanceof RegExp) return expectRefusal(planned, c.expect);
      const plan = expectPlan(planned);
      const got = summary(plan);
      assert.deepEqual(Object.fromEntries(Object.keys(c.expect).map((k) => [k, got[k as keyof typeof got]])), c.expect);
      assert.deepEqual([plan.kind, plan.version, plan.reuse], ['deploy', 'v2', []]);
    });
  }
});

describe('renderDeployPlan for a deploy', () => {
  const plan = (input: Partial<DeployInput> = {}): DeployPlan => expectPlan(planDeploy(deployInput(input)));

  test('every step in order, numbered, from the start of the new color to the record', () => {
    assert.equal(
      renderDeployPlan(plan({ imagesPresent: new Set(['r/web:v2', 'postgres:16']) })),
      [
        'deploy to v2: traffic moves from blue (v1) to green',
        '  1. pull r/api:v2',
        '  2. resolve each image to its identity (registry digest, else image ID); when every service already runs it live, stop here (--force deploys anyway)',
        '  3. remove old green containers (not serving): web-green (v0)',
        '  4. start green: web (r/web:v2), api x2 (r/api:v2)',
        '  5. wait until every green container is healthy',
        '  6. switch all 2 services to green in one Caddy change (If-Match)',
        '  7. verify: read Caddy back',
        '  8. drain blue: wait until Caddy has no request in flight to it',
        '  9. keep blue running as warm standby',
        '  10. record the deployment in the state file',
        '',
      ].join('\n'),
    );
  });

  test('a first deploy of one service starts shared services, names the service, and has nothing to drain', () => {
    const text = renderDeployPlan(
      plan({ project: makeProject([service('web')], [db]), live: { kind: 'plain' }, liveVersion: undefined, toColor: 'blue', containers: [], sharedPresent: new Set(), stopOld: true }),
    );
    assert.match(text, /^deploy to v2: traffic moves from plain Compose names \(no color live yet\) to blue\n/);
    assert.match(text, /^ {2}3\. start shared services that are not running: db$/m);
    assert.match(text, /^ {2}\d\. switch web to blue in one Caddy change \(If-Match\)$/m);
    assert.doesNotMatch(text, /\d\. (drain|stop|keep) /);
  });

  test('a canary lists one line per step, with its pauses', () => {
    const text = renderDeployPlan(plan({ stopOld: true }), { steps: { weights: [10, 50], pauseAfter: [1] }, stepIntervalMs: 30_000 });
    assert.match(text, /^ {2}\d\. canary: 10% of requests to green in one Caddy change, analyse for 30s \(abort back to blue on failure\)$/m);
    assert.match(text, /^ {2}\d\. canary: 50% of requests to green .*on failure\), then wait for cutover promote or abort$/m);
    assert.match(text, /stop blue with each service's stop_grace_period/);
  });
});
