import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Color } from '../../../src/config/model.js';
import { aggregateTraffic, type DialOwner } from '../../../src/domain/aggregate-traffic.js';
import { compareColors } from '../../../src/domain/compare-colors.js';
import type { Roundtrip } from '../../../src/domain/parse-roundtrip-line.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS as defaults } from '../../../src/domain/real-traffic-thresholds.js';

const owners = new Map<string, DialOwner>([
  ['blue:3000', { service: 'api', color: 'blue' }],
  ['green:3000', { service: 'api', color: 'green' }],
]);

/** `count` requests of one color to one path, every `errorEvery`-th one a 500 (0: none). Deterministic. */
function requests(color: Color, path: string, count: number, errorEvery = 0, durationMs = 10): Roundtrip[] {
  return Array.from({ length: count }, (_, i) => ({
    atMs: 1000,
    dial: `${color}:3000`,
    status: errorEvery > 0 && i % errorEvery === 0 ? 500 : 200,
    durationMs: durationMs + (i % 10),
    method: 'GET',
    path,
    failed: false,
    canceled: false,
    error: undefined,
  }));
}

function judge(roundtrips: Roundtrip[]) {
  return compareColors(aggregateTraffic(roundtrips, owners, { fromMs: 0, toMs: 2000 }), 'green', 'blue', defaults);
}

describe('compareColors (green new, blue old)', () => {
  test('half of one route failing is worse, found on that route though the total hides it less', () => {
    const result = judge([
      ...requests('blue', '/', 1800),
      ...requests('blue', '/version', 900),
      ...requests('green', '/', 200),
      ...requests('green', '/version', 100, 2),
    ]);
    assert.equal(result.verdict, 'worse');
    const route = result.scopes.find((s) => s.scope.kind === 'route' && s.scope.route === 'GET /version');
    assert.equal(route?.errors.verdict, 'worse');
    const home = result.scopes.find((s) => s.scope.kind === 'route' && s.scope.route === 'GET /');
    assert.equal(home?.errors.verdict, 'ok');
  });

  test('the same background errors in both colors is ok', () => {
    const result = judge([...requests('blue', '/', 2000, 50), ...requests('green', '/', 500, 50)]);
    assert.equal(result.verdict, 'ok');
    assert.ok(result.scopes.every((s) => s.errors.verdict !== 'worse'));
  });

  test('too little traffic on the new color is inconclusive', () => {
    assert.equal(judge([...requests('blue', '/', 2000), ...requests('green', '/', 20)]).verdict, 'inconclusive');
  });

  test('a slower new color is worse by latency', () => {
    const result = judge([...requests('blue', '/', 2000), ...requests('green', '/', 300, 0, 400)]);
    assert.equal(result.verdict, 'worse');
    assert.equal(result.scopes[0]?.latency.verdict, 'worse');
    assert.equal(result.scopes[0]?.errors.verdict, 'ok');
  });

  test('service and route tests share alpha (Bonferroni); the total keeps it whole', () => {
    const result = judge([
      ...requests('blue', '/a', 500),
      ...requests('blue', '/b', 500),
      ...requests('green', '/a', 100),
      ...requests('green', '/b', 100),
      ...requests('green', '/rare', 10),
    ]);
    // the service and the two routes with 50+ requests in both colors; /rare is left out.
    assert.deepEqual(
      result.scopes.map((s) => [s.scope.kind === 'route' ? s.scope.route : s.scope.kind, s.errors.alpha]),
      [
        ['all', defaults.alpha],
        ['service', defaults.alpha / 3],
        ['GET /a', defaults.alpha / 3],
        ['GET /b', defaults.alpha / 3],
      ],
    );
  });
});
