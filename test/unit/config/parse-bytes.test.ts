import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBytes } from '../../../src/config/parse-bytes.js';

describe('parseBytes', () => {
  const cases: Array<[string | number, number | undefined]> = [
    [1024, 1024],
    ['1024', 1024],
    ['2b', 2],
    ['512k', 512 * 1024],
    ['1024kb', 1024 * 1024],
    ['300m', 300 * 1024 ** 2],
    ['8G', 8 * 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['2gib', 2 * 1024 ** 3],
    ['512 MB', 512 * 1024 ** 2],
    ['lots', undefined],
    ['-5m', undefined],
    [-1, undefined],
    [1.5, undefined],
  ];
  for (const [value, bytes] of cases) {
    test(`${JSON.stringify(value)} -> ${String(bytes)}`, () => {
      assert.equal(parseBytes(value), bytes);
    });
  }
});
