import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareErrorRates, type TrafficVerdict } from '../../../src/domain/compare-error-rates.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS as defaults } from '../../../src/domain/real-traffic-thresholds.js';

describe('compareErrorRates with the default thresholds', () => {
  // [what, new errors/requests, old errors/requests, verdict]
  const cases: Array<[string, [number, number], [number, number], TrafficVerdict]> = [
    ['half of one path failing at 10 % of 150 req/s for 2 s', [5, 30], [0, 270], 'worse'],
    ['5 % failing at 20 % of 150 req/s for 15 s', [23, 450], [0, 1800], 'worse'],
    ['5 % on top of 2 % background', [32, 450], [36, 1800], 'worse'],
    ['the same 2 % background in both', [9, 450], [36, 1800], 'ok'],
    ['slightly more errors, not significant', [13, 450], [36, 1800], 'ok'],
    ['a new color with fewer errors', [0, 450], [36, 1800], 'ok'],
    ['one failure in a few requests: too few errors to abort', [1, 1], [0, 100], 'inconclusive'],
    ['two failures in 10 requests', [2, 10], [0, 500], 'inconclusive'],
    ['3 of 30 new against none of 270: p 0.0009, under alpha', [3, 30], [0, 270], 'worse'],
    ['a healthy 2 % against 2 %, a bit unlucky', [8, 300], [54, 2700], 'ok'],
    ['6 % against 2 %', [18, 300], [54, 2700], 'worse'],
    ['no errors but too few new requests', [0, 20], [0, 500], 'inconclusive'],
    ['no errors but too few old requests', [0, 500], [0, 20], 'inconclusive'],
    ['no new request at all', [0, 0], [0, 500], 'inconclusive'],
    ['significant but below the minimum increase', [700, 100_000], [500, 100_000], 'ok'],
    ['significant and above the minimum increase', [1200, 100_000], [150, 100_000], 'worse'],
  ];
  for (const [what, [newErrors, newRequests], [oldErrors, oldRequests], verdict] of cases) {
    test(`${what}: ${newErrors}/${newRequests} vs ${oldErrors}/${oldRequests} is ${verdict}`, () => {
      const result = compareErrorRates({ errors: newErrors, requests: newRequests }, { errors: oldErrors, requests: oldRequests }, defaults);
      assert.equal(result.verdict, verdict, JSON.stringify(result));
    });
  }

  test('reports the rates, the p-value, the test and the alpha held to', () => {
    const result = compareErrorRates({ errors: 5, requests: 30 }, { errors: 0, requests: 270 }, defaults, 0.0002);
    assert.equal(result.newRate, 5 / 30);
    assert.equal(result.oldRate, 0);
    assert.equal(result.test, 'fisher-exact');
    assert.equal(result.alpha, 0.0002);
    assert.ok(result.pValue !== undefined && result.pValue < 0.0002);
  });

  test('a smaller alpha (the per-route correction) can turn worse into ok', () => {
    const next = { errors: 20, requests: 100 }; // p about 0.000016
    const old = { errors: 1, requests: 100 };
    assert.equal(compareErrorRates(next, old, defaults).verdict, 'worse');
    assert.equal(compareErrorRates(next, old, defaults, 0.00001).verdict, 'ok');
  });
});
