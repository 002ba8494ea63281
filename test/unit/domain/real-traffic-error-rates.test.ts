import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareErrorRates } from '../../../src/domain/compare-error-rates.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS as defaults } from '../../../src/domain/real-traffic-thresholds.js';

/** mulberry32: a small seeded generator, so these simulations give the same figures on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function errorsOf(random: () => number, requests: number, rate: number): number {
  let errors = 0;
  for (let i = 0; i < requests; i++) if (random() < rate) errors++;
  return errors;
}

/** Share of `windows` simulated windows that the default thresholds call worse. */
function abortRate(seed: number, windows: number, newRequests: number, newRate: number, oldRequests: number, oldRate: number): number {
  const random = seeded(seed);
  let worse = 0;
  for (let w = 0; w < windows; w++) {
    const next = { requests: newRequests, errors: errorsOf(random, newRequests, newRate) };
    const old = { requests: oldRequests, errors: errorsOf(random, oldRequests, oldRate) };
    if (compareErrorRates(next, old, defaults).verdict === 'worse') worse++;
  }
  return worse / windows;
}

describe('the default error-rate thresholds on simulated windows (seeded)', () => {
  test('healthy canaries with 2 % background errors in both colors: under 0.5 % of windows called worse', () => {
    for (const [newRequests, oldRequests] of [[30, 270], [150, 1350], [450, 1800], [1500, 1500]] as const) {
      const rate = abortRate(7, 2000, newRequests, 0.02, oldRequests, 0.02);
      assert.ok(rate < 0.005, `${newRequests}/${oldRequests}: ${rate}`);
    }
  });

  test('healthy canaries with 10 % background errors: under 0.5 % of windows called worse', () => {
    const rate = abortRate(11, 2000, 450, 0.1, 1800, 0.1);
    assert.ok(rate < 0.005, String(rate));
  });

  test('a canary failing 1/6 of its requests (half of one route of three) at 10 % of 150 req/s: caught in 2 s in most windows', () => {
    const rate = abortRate(13, 1000, 30, 1 / 6, 270, 0);
    assert.ok(rate > 0.8, String(rate));
  });

  test('5 % failing at 20 % of 150 req/s for 15 s: caught in nearly every window', () => {
    const rate = abortRate(17, 1000, 450, 0.05, 1800, 0);
    assert.ok(rate > 0.99, String(rate));
  });

  test('the same on top of 2 % background in both: caught in more than 9 windows of 10 (about 97 %)', () => {
    const rate = abortRate(19, 1000, 450, 0.07, 1800, 0.02);
    assert.ok(rate > 0.9, String(rate));
  });
});
