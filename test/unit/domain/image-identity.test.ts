import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeIdentity, pinnedReference, sameIdentities } from '../../../src/domain/image-identity.js';
import { parseImageReference } from '../../../src/domain/image-reference.js';
import { isMovingTag, pullPolicyFor, type PullPolicy } from '../../../src/domain/pull-policy.js';
import { identity } from '../state/state-fixtures.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  const cases: Array<[string, ReturnType<typeof parseImageReference>]> = [
    ['postgres', { repository: 'postgres', tag: undefined, digest: undefined }],
    ['postgres:16-alpine', { repository: 'postgres', tag: '16-alpine', digest: undefined }],
    ['127.0.0.1:5000/team/app:latest', { repository: '127.0.0.1:5000/team/app', tag: 'latest', digest: undefined }],
    [`127.0.0.1:5000/team/app@${D}`, { repository: '127.0.0.1:5000/team/app', tag: undefined, digest: D }],
    [`ghcr.io/acme/platform:v1@${D}`, { repository: 'ghcr.io/acme/platform', tag: 'v1', digest: D }],
    ['localhost/app:dev', { repository: 'localhost/app', tag: 'dev', digest: undefined }],
    // A digest written after a colon, as `image: repo:${VERSION}` makes of VERSION=sha256:...
    [`ghcr.io/acme/platform:${D}`, undefined],
    ['app@sha256:abc', undefined],
    ['App:v1', undefined],
    ['app:-v1', undefined],
    ['', undefined],
  ];
  for (const [ref, expected] of cases) test(JSON.stringify(ref), () => assert.deepEqual(parseImageReference(ref), expected));
});

describe('isMovingTag and pullPolicyFor', () => {
  const cases: Array<[string, boolean]> = [
    ['app:latest', true],
    ['app', true],
    ['127.0.0.1:5000/app:main', true],
    ['app:stable', true],
    ['app:prod', true],
    ['app:v1', false],
    ['app:1.4.2', false],
    ['app:v2.0.0-rc.1', false],
    ['app:2024.05.01', false],
    ['postgres:16-alpine', false],
    ['app:3f2a1bc', false],
    ['app:sha-3f2a1bc9', false],
    [`app@${D}`, false],
    [`app:latest@${D}`, false],
    ['not a reference', false],
  ];
  for (const [ref, moving] of cases) {
    test(`${ref}: ${moving ? 'moving' : 'pinned'}`, () => {
      assert.equal(isMovingTag(ref), moving);
      assert.equal(pullPolicyFor(ref, undefined), moving ? 'always' : 'missing');
      for (const explicit of ['always', 'missing', 'never'] as PullPolicy[]) assert.equal(pullPolicyFor(ref, explicit), explicit, 'an explicit --pull wins');
    });
  }
});

describe('image identity', () => {
  test('pinnedReference: repository@digest from a registry, else the image ID; never the tag', () => {
    assert.equal(pinnedReference(identity('127.0.0.1:5000/app:latest', '1', 'a')), `127.0.0.1:5000/app@${D}`);
    assert.equal(pinnedReference(identity(`127.0.0.1:5000/app@${D}`, '1', 'a')), `127.0.0.1:5000/app@${D}`);
    assert.equal(pinnedReference(identity('app:dev', '3', null)), `sha256:${'3'.repeat(64)}`);
  });

  test('describeIdentity shows the tag and a short digest, or the local image ID', () => {
    assert.equal(describeIdentity(identity('r/app:latest', '1', 'a')), 'r/app:latest@sha256:aaaaaaaaaaaa');
    assert.equal(describeIdentity(identity(`r/app@${D}`, '1', 'a')), 'r/app@sha256:aaaaaaaaaaaa');
    assert.equal(describeIdentity(identity('app:dev', '3', null)), 'app:dev (local image sha256:333333333333)');
  });

  const one = `sha256:${'1'.repeat(64)}`;
  const two = `sha256:${'2'.repeat(64)}`;
  const cases: Array<[string, Record<string, string[]>, boolean]> = [
    ['every service runs the same image ID', { web: [one, one], api: [two] }, true],
    ['one service runs another image', { web: [one], api: [one] }, false],
    ['a service has no live container', { web: [one] }, false],
    ['a service runs two images (replicas differ)', { web: [one, two], api: [two] }, false],
  ];
  for (const [name, live, same] of cases) {
    test(`sameIdentities: ${name}`, () => {
      assert.equal(sameIdentities(live, { web: identity('r/web:latest', '1', 'a'), api: identity('r/api:latest', '2', null) }), same);
    });
  }
  test('sameIdentities: nothing to deploy is not "the same"', () => assert.equal(sameIdentities({}, {}), false));
});
