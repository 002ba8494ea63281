import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProjectConfig } from '../../../src/config/model.js';
import { pinSwarmImages, planSwarmPull } from '../../../src/domain/plan-swarm-images.js';
import type { PullPolicy } from '../../../src/domain/pull-policy.js';
import { makeProject } from '../../fixtures/make-project.js';
import { makeColoredService, makeSpec } from '../../fixtures/make-service.js';
import { identity } from '../state/state-fixtures.js';

function projectWith(image: string): ProjectConfig {
  return makeProject([makeColoredService('web', () => ({ image }))]);
}

describe('planSwarmPull: the Compose pull rules on Swarm', () => {
  const cases: Array<{ image: string; present: boolean; pull: PullPolicy | undefined; pulls: boolean }> = [
    { image: 'r/app:latest', present: true, pull: undefined, pulls: true },
    { image: 'r/app:main', present: true, pull: undefined, pulls: true },
    { image: 'r/app:latest', present: true, pull: 'missing', pulls: false },
    { image: 'r/app:v2', present: true, pull: undefined, pulls: false },
    { image: 'r/app:v2', present: false, pull: undefined, pulls: true },
    { image: 'r/app:v2', present: true, pull: 'always', pulls: true },
    { image: 'r/app:latest', present: true, pull: 'never', pulls: false },
  ];
  for (const c of cases) {
    test(`${c.image} ${c.present ? 'present' : 'missing'}, --pull ${c.pull ?? '(default)'}: ${c.pulls ? 'pulled' : 'not pulled'}`, () => {
      const planned = planSwarmPull({ project: projectWith(c.image), color: 'green', version: 'v2', pull: c.pull, imagesPresent: new Set(c.present ? [c.image] : []) });
      assert.deepEqual(planned, { ok: true, pull: c.pulls ? [c.image] : [] });
    });
  }

  test('refused, one line each: --pull never with a missing image', () => {
    const planned = planSwarmPull({ project: projectWith('r/app:latest'), color: 'blue', version: 'latest', pull: 'never', imagesPresent: new Set() });
    assert.deepEqual(planned, { ok: false, problems: ['image r/app:latest is not on this Docker engine and --pull never forbids pulling it'] });
  });

  test('shared services are left to docker stack deploy: their images are never pulled', () => {
    const project = makeProject([makeColoredService('web', () => ({ image: 'r/app:v2' }))], [makeSpec({ name: 'db', image: 'postgres:latest' })]);
    assert.deepEqual(planSwarmPull({ project, color: 'blue', version: 'v2', pull: undefined, imagesPresent: new Set(['r/app:v2']) }), { ok: true, pull: [] });
  });
});

describe('pinSwarmImages', () => {
  test('registry digests are pinned as they are, on any number of nodes', () => {
    assert.deepEqual(pinSwarmImages({ web: identity('r/app:latest', 'a', 'b') }, 5), { ok: true, warnings: [] });
  });

  test('an image without a digest on a single node: pinned by its ID, one warning saying several nodes need a registry', () => {
    const result = pinSwarmImages({ web: identity('app:v1', 'c', null), api: identity('r/api:v1', 'a', 'b') }, 1);
    assert.deepEqual(result, { ok: true, warnings: [`web: app:v1 (local image sha256:cccccccccccc) has no registry digest: pinned to its image ID sha256:${'c'.repeat(64)}, which only this node has; a Swarm of several nodes needs it from a registry`] });
  });

  test('an image without a digest on several nodes: refused, naming the service and what to do', () => {
    assert.deepEqual(pinSwarmImages({ web: identity('app:v1', 'c', null) }, 3), {
      ok: false,
      problems: ['web: image app:v1 has no registry digest (it exists on this node only) and this Swarm has 3 nodes: push it to a registry every node can pull from and name it there in the compose files'],
    });
  });
});
