import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration } from '../../../src/config/parse-duration.js';

describe('parseDuration', () => {
  const cases: Array<[string, number | undefined]> = [
    ['5s', 5000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1.5s', 1500],
    ['1h2m3s4ms', 3_723_004],
    ['250us', 0.25],
    ['0', 0],
    ['0s', 0],
    [' 10s ', 10_000],
    ['', undefined],
    ['30', undefined],
    ['abc', undefined],
    ['5 s', undefined],
    ['-5s', undefined],
    ['5d', undefined],
    ['s', undefined],
  ];
  for (const [text, ms] of cases) {
    test(`${JSON.stringify(text)} -> ${String(ms)}`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }
});
