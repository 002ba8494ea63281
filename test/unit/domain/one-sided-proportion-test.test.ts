import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalUpperTail, oneSidedProportionTest } from '../../../src/domain/one-sided-proportion-test.js';

describe('oneSidedProportionTest', () => {
  // [new hits, new total, old hits, old total, expected p, test, how the figure was found]
  const cases: Array<[number, number, number, number, number, 'z-test' | 'fisher-exact', string]> = [
    [3, 4, 1, 4, 17 / 70, 'fisher-exact', "Fisher's tea tasting: (C(4,3)C(4,1) + C(4,4)C(4,0)) / C(8,4)"],
    [1, 1, 0, 100, 1 / 101, 'fisher-exact', 'the one request of 101 that failed fell in the new color'],
    [3, 30, 0, 270, 4060 / 4455100, 'fisher-exact', 'all 3 errors of 300 in the 30 new requests: C(30,3) / C(300,3)'],
    [0, 30, 3, 270, 1, 'fisher-exact', 'no error in the new color: nothing to see'],
    [8, 10, 2, 10, 0.012674, 'z-test', "Yates' chi-square 5.0 on 1 df, halved for one side: z = sqrt(5)"],
    [2, 10, 8, 10, 0.987326, 'z-test', 'the mirror image: the new color is better'],
    [9, 450, 36, 1800, 0.5, 'z-test', 'the same rate: the correction leaves a difference of 0'],
    [0, 100, 0, 900, 1, 'fisher-exact', 'no error at all'],
    [100, 100, 900, 900, 1, 'fisher-exact', 'every request an error in both'],
    [5, 0 + 5, 0, 0, 1, 'fisher-exact', 'no request in the old color'],
  ];
  for (const [newHits, newTotal, oldHits, oldTotal, pValue, name, why] of cases) {
    test(`${newHits}/${newTotal} vs ${oldHits}/${oldTotal}: p = ${pValue.toPrecision(4)} by ${name} (${why})`, () => {
      const result = oneSidedProportionTest(newHits, newTotal, oldHits, oldTotal);
      assert.equal(result.test, name);
      assert.ok(Math.abs(result.pValue - pValue) < 1e-6 + 1e-6 * pValue, `p = ${result.pValue}, expected ${pValue}`);
    });
  }

  test('a large, clear difference gives a tiny p by the z-test', () => {
    const result = oneSidedProportionTest(30, 450, 36, 1800); // 6.7 % against 2 %
    assert.equal(result.test, 'z-test');
    assert.ok(result.pValue < 1e-5, String(result.pValue));
  });

  test('the z-test agrees with Fisher where both apply', () => {
    // 20/200 against 10/200: Fisher one-sided, summed by hand below, about 0.0480.
    let fisher = 0;
    const lnFact = (n: number): number => (n < 2 ? 0 : Array.from({ length: n - 1 }, (_, i) => Math.log(i + 2)).reduce((a, b) => a + b, 0));
    const lnChoose = (n: number, k: number): number => lnFact(n) - lnFact(k) - lnFact(n - k);
    for (let k = 20; k <= 30; k++) fisher += Math.exp(lnChoose(30, k) + lnChoose(370, 200 - k) - lnChoose(400, 200));
    const z = oneSidedProportionTest(20, 200, 10, 200);
    assert.equal(z.test, 'z-test');
    assert.ok(Math.abs(z.pValue - fisher) < 0.01, `z ${z.pValue} against Fisher ${fisher}`);
  });

  const bad: Array<[number, number, number, number]> = [
    [5, 4, 0, 10],
    [-1, 4, 0, 10],
    [1.5, 4, 0, 10],
    [0, 10, 11, 10],
  ];
  for (const counts of bad) {
    test(`refuses impossible counts ${counts.join(', ')}`, () => assert.throws(() => oneSidedProportionTest(...counts), RangeError));
  }
});

describe('normalUpperTail', () => {
  const cases: Array<[number, number]> = [
    [0, 0.5],
    [1.6448536, 0.05],
    [2.3263479, 0.01],
    [3.0902323, 0.001],
    [-1.959964, 0.975],
  ];
  for (const [z, tail] of cases) test(`1 - Phi(${z}) = ${tail}`, () => assert.ok(Math.abs(normalUpperTail(z) - tail) < 1e-6 * Math.max(1, tail * 10)));
});
