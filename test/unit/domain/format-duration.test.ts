import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration } from '../../../src/domain/format-duration.js';

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0 ms'],
    [0.04, '0 ms'],
    [0.44, '0.4 ms'],
    [2.345, '2.3 ms'],
    [5, '5 ms'],
    [9.94, '9.9 ms'],
    [9.96, '10 ms'],
    [12.4, '12 ms'],
    [450, '450 ms'],
    [999.4, '999 ms'],
    [999.6, '1.0 s'],
    [1000, '1.0 s'],
    [1234, '1.2 s'],
    [2500, '2.5 s'],
    [59_940, '59.9 s'],
    [59_960, '1 min'],
    [60_000, '1 min'],
    [90_000, '1 min 30 s'],
    [270_400, '4 min 30 s'],
    [300_000, '5 min'],
    [7_200_000, '120 min'],
    [-1500, '-1.5 s'],
    [Number.NaN, 'n/a'],
    [Number.POSITIVE_INFINITY, 'n/a'],
  ];
  for (const [ms, expected] of cases) {
    test(`${ms} ms is written ${expected}`, () => assert.equal(formatDuration(ms), expected));
  }
});
