import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareP99Latency } from '../../../src/domain/compare-p99-latency.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS as defaults } from '../../../src/domain/real-traffic-thresholds.js';

/** `count` latencies spread evenly over [fromMs, toMs], ascending: no randomness in a unit test. */
function spread(count: number, fromMs: number, toMs: number): number[] {
  return Array.from({ length: count }, (_, i) => fromMs + ((toMs - fromMs) * i) / Math.max(1, count - 1));
}
function withSlowTail(count: number, slowShare: number, slowMs: number): number[] {
  const slow = Math.round(count * slowShare);
  return [...spread(count - slow, 5, 30), ...spread(slow, slowMs, slowMs * 1.2)];
}

describe('compareP99Latency with the default thresholds', () => {
  const cases: Array<[string, number[], number[], 'worse' | 'ok' | 'inconclusive']> = [
    ['the same latencies', spread(300, 5, 30), spread(2700, 5, 30), 'ok'],
    ['5 % of new requests take 2 s', withSlowTail(300, 0.05, 2000), spread(2700, 5, 30), 'worse'],
    ['every new request 10x slower', spread(300, 50, 300), spread(2700, 5, 30), 'worse'],
    ['new slower but by less than the 50 ms margin', spread(300, 5, 60), spread(2700, 5, 30), 'ok'],
    ['both with the same slow tail', withSlowTail(300, 0.02, 1000), withSlowTail(2700, 0.02, 1000), 'ok'],
    ['a new color faster than the old', spread(300, 1, 5), spread(2700, 5, 30), 'ok'],
    ['too few new samples', withSlowTail(99, 0.5, 2000), spread(2700, 5, 30), 'inconclusive'],
    ['too few old samples', spread(300, 5, 30), spread(99, 5, 30), 'inconclusive'],
    ['no samples', [], [], 'inconclusive'],
    ['0.5 % slow: the p99 does not move', withSlowTail(400, 0.005, 2000), spread(2700, 5, 30), 'ok'],
  ];
  for (const [what, next, old, verdict] of cases) {
    test(`${what}: ${verdict}`, () => {
      const result = compareP99Latency(next, old, defaults);
      assert.equal(result.verdict, verdict, JSON.stringify({ ...result }));
    });
  }

  test('reports both p99s and the pooled one it counted against', () => {
    const result = compareP99Latency(withSlowTail(300, 0.05, 2000), spread(2700, 5, 30), defaults);
    assert.ok(result.newP99Ms !== undefined && result.newP99Ms >= 2000);
    assert.ok(result.oldP99Ms !== undefined && result.oldP99Ms <= 30);
    assert.ok(result.pooledP99Ms !== undefined && result.pooledP99Ms <= 30, String(result.pooledP99Ms));
    assert.ok(result.pValue !== undefined && result.pValue < defaults.alpha);
  });
});
