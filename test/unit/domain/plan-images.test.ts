/**
 * The image rules of planning, table-driven: which images a deploy pulls
 * (moving tags always, unless --pull says otherwise), digests in the version,
 * and how a rollback chooses between the warm standby and starting the
 * recorded identities again.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProjectConfig } from '../../../src/config/model.js';
import { checkImageReferences } from '../../../src/domain/check-image-references.js';
import { pinImages } from '../../../src/domain/pin-images.js';
import { planDeploy, type KnownContainer, type PullPolicy } from '../../../src/domain/plan-deploy.js';
import { planRollback } from '../../../src/domain/plan-rollback.js';
import { expectPlan, expectRefusal, makeProject } from '../../fixtures/make-project.js';
import { makeColoredService } from '../../fixtures/make-service.js';
import { identity } from '../state/state-fixtures.js';

const D = `sha256:${'d'.repeat(64)}`;

function projectWith(image: string): ProjectConfig {
  return makeProject([makeColoredService('web', () => ({ image }))]);
}

describe('planDeploy: what is pulled', () => {
  const cases: Array<{ image: string; present: boolean; pull: PullPolicy | undefined; pulls: boolean | 'refused' }> = [
    { image: 'r/app:latest', present: true, pull: undefined, pulls: true },
    { image: 'r/app:main', present: true, pull: undefined, pulls: true },
    { image: 'r/app:latest', present: true, pull: 'missing', pulls: false },
    { image: 'r/app:latest', present: false, pull: 'never', pulls: 'refused' },
    { image: 'r/app:latest', present: true, pull: 'never', pulls: false },
    { image: 'r/app:v1', present: true, pull: undefined, pulls: false },
    { image: 'r/app:v1', present: false, pull: undefined, pulls: true },
    { image: 'r/app:v1', present: true, pull: 'always', pulls: true },
    { image: `r/app@${D}`, present: true, pull: undefined, pulls: false },
    { image: `r/app@${D}`, present: false, pull: undefined, pulls: true },
  ];
  for (const c of cases) {
    test(`${c.image}, ${c.present ? 'present' : 'absent'}, --pull ${c.pull ?? '(default)'}: ${String(c.pulls)}`, () => {
      const planned = planDeploy({
        project: projectWith(c.image),
        version: 'x',
        live: { kind: 'plain' },
        liveVersion: undefined,
        toColor: 'blue',
        containers: [],
        sharedPresent: new Set(),
        imagesPresent: new Set(c.present ? [c.image] : []),
        pull: c.pull,
        stopOld: false,
      });
      if (c.pulls === 'refused') return expectRefusal(planned, /--pull never forbids pulling it/);
      assert.deepEqual(expectPlan(planned).pull, c.pulls ? [c.image] : []);
    });
  }
});

describe('checkImageReferences', () => {
  test('a digest where the file puts a tag: one problem naming the fix', () => {
    assert.deepEqual(checkImageReferences(projectWith(`r/app:${D}`), 'blue', D), [
      `version ${D} is a digest, but the image of web puts it where a tag goes (r/app:${D}): write the image as name@\${VERSION} to deploy digests`,
    ]);
  });
  test('a digest where the file writes name@${VERSION}, and a plain tag, are fine', () => {
    assert.deepEqual(checkImageReferences(projectWith(`r/app@${D}`), 'blue', D), []);
    assert.deepEqual(checkImageReferences(projectWith('r/app:v1'), 'blue', 'v1'), []);
  });
});

describe('planRollback with recorded image identities', () => {
  const previous = identity('r/app:latest', '1', 'a');
  const local = identity('app:dev', '2', null);
  const live: KnownContainer = { id: 'l', name: 'web-blue', service: 'web', color: 'blue', version: 'latest', state: 'running', health: 'healthy', imageId: `sha256:${'9'.repeat(64)}` };
  const standbyRunning = (imageId: string): KnownContainer => ({ id: 's', name: 'web-green', service: 'web', color: 'green', version: 'latest', state: 'running', health: 'healthy', imageId });

  const cases: Array<{ name: string; images: typeof previous; standby: KnownContainer[]; present: string[]; expect: 'reuse' | { start: string; pull: string[] } | RegExp }> = [
    { name: 'the standby runs the recorded image: switch to it as it is', images: previous, standby: [standbyRunning(previous.id)], present: [], expect: 'reuse' },
    {
      name: 'the standby runs the same tag but another image: start the recorded digest',
      images: previous,
      standby: [standbyRunning(`sha256:${'8'.repeat(64)}`)],
      present: [`r/app@${previous.digest}`],
      expect: { start: `r/app@${previous.digest}`, pull: [] },
    },
    { name: 'no standby, the digest is gone from the host: pull it by digest', images: previous, standby: [], present: [], expect: { start: `r/app@${previous.digest}`, pull: [`r/app@${previous.digest}`] } },
    { name: 'no standby, a local image still here: start it by image ID', images: local, standby: [], present: [local.id], expect: { start: local.id, pull: [] } },
    { name: 'no standby, a local image gone: refused, nothing to pull it by', images: local, standby: [], present: [], expect: /app:dev \(local image sha256:222222222222\), is no longer on this Docker engine and has no registry digest/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const project = projectWith('r/app:latest');
      const planned = planRollback({
        project: pinImages(project, 'green', { web: c.images }),
        live: { kind: 'color', color: 'blue' },
        previousVersion: 'latest',
        liveVersion: 'latest',
        containers: [live, ...c.standby],
        sharedPresent: new Set(),
        imagesPresent: new Set(c.present),
        pull: undefined,
        previousImages: { web: c.images },
      });
      if (c.expect instanceof RegExp) return expectRefusal(planned, c.expect);
      const plan = expectPlan(planned);
      assert.deepEqual(plan.images, { web: c.images });
      if (c.expect === 'reuse') {
        assert.deepEqual([plan.start, plan.reuse.map((r) => r.id)], [[], ['s']]);
      } else {
        assert.deepEqual(plan.start.map((s) => s.image), [c.expect.start]);
        assert.deepEqual(plan.pull, c.expect.pull);
      }
    });
  }
});
