import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analysisCommandEnv } from '../../../src/domain/analysis-command-env.js';
import { lastLines } from '../../../src/domain/last-lines.js';

describe('analysisCommandEnv', () => {
  test('names the colors, versions, step, weights and project', () => {
    const env = analysisCommandEnv({ project: 'shop', fromColor: 'blue', toColor: 'green', fromVersion: 'v1', toVersion: 'v2', step: 2, steps: 3, weight: 25, look: 4 });
    assert.deepEqual(env, {
      CUTOVER_PROJECT: 'shop',
      CUTOVER_FROM_COLOR: 'blue',
      CUTOVER_TO_COLOR: 'green',
      CUTOVER_FROM_VERSION: 'v1',
      CUTOVER_TO_VERSION: 'v2',
      CUTOVER_STEP: '2',
      CUTOVER_STEPS: '3',
      CUTOVER_WEIGHT: '25',
      CUTOVER_FROM_WEIGHT: '75',
      CUTOVER_LOOK: '4',
    });
  });
  test('a first deploy has no old version: empty, not "null"', () => {
    assert.equal(analysisCommandEnv({ project: 'p', fromColor: 'green', toColor: 'blue', fromVersion: null, toVersion: 'v1', step: 1, steps: 1, weight: 10, look: 1 }).CUTOVER_FROM_VERSION, '');
  });
});

describe('lastLines', () => {
  test('keeps the last non-empty lines, trimmed at the end and cut when long', () => {
    assert.deepEqual(lastLines('a\n\nb  \r\nc\nd\n\n', 3), ['b', 'c', 'd']);
    assert.deepEqual(lastLines('x'.repeat(10), 1, 4), ['xxxx…']);
    assert.deepEqual(lastLines('', 5), []);
  });
});
