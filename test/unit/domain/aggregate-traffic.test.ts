import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aggregateTraffic, OTHER_ROUTES, type DialOwner } from '../../../src/domain/aggregate-traffic.js';
import { parseRoundtripLine, type Roundtrip } from '../../../src/domain/parse-roundtrip-line.js';
import { FIXTURE_DIALS, fixtureLines } from './caddy-log-fixture.js';

const roundtrips = fixtureLines('roundtrip-2.6.2.log').flatMap((line) => {
  const parsed = parseRoundtripLine(line);
  return parsed.kind === 'roundtrip' ? [parsed.roundtrip] : [];
});
const ALL_TIME = { fromMs: 0, toMs: Number.POSITIVE_INFINITY };

describe('aggregateTraffic over the captured lines', () => {
  // The capture: blue and the dead dial as two dials of the blue color of "web", green as green's "web".
  const owners = new Map<string, DialOwner>([
    [FIXTURE_DIALS.blue, { service: 'web', color: 'blue' }],
    [FIXTURE_DIALS.dead, { service: 'web', color: 'blue' }],
    [FIXTURE_DIALS.green, { service: 'web', color: 'green' }],
  ]);
  const traffic = aggregateTraffic(roundtrips, owners, ALL_TIME);

  test('blue: 7 requests (the canceled one apart), 2 errors (the 500 and the refused dial), the 404 an answer', () => {
    const { requests, errors, failedRoundtrips, canceled } = traffic.colors.blue.total;
    assert.deepEqual({ requests, errors, failedRoundtrips, canceled }, { requests: 7, errors: 2, failedRoundtrips: 1, canceled: 1 });
  });

  test('green: 1 request, no error', () => {
    const { requests, errors } = traffic.colors.green.total;
    assert.deepEqual({ requests, errors }, { requests: 1, errors: 0 });
  });

  test('routes by pattern, each with its own counts', () => {
    const routes = traffic.colors.blue.services.web!.routes;
    const counts = Object.fromEntries(Object.entries(routes).map(([route, f]) => [route, [f.requests, f.errors, f.canceled]]));
    assert.deepEqual(counts, {
      'GET /': [1, 0, 0],
      'GET /users/:id': [1, 0, 0],
      'GET /fail/:id': [1, 1, 0],
      'GET /missing': [1, 0, 0],
      'GET /slow': [1, 0, 0],
      'GET /dead/x': [1, 1, 0],
      'POST /orders/:id': [1, 0, 0],
      'GET /slow/canceled': [0, 0, 1],
    });
  });

  test('percentiles over answered round trips only: the slow request is the p99', () => {
    const blue = traffic.colors.blue.total;
    assert.equal(blue.durationsMs.length, 6);
    assert.ok(blue.p99Ms !== undefined && blue.p99Ms > 300, String(blue.p99Ms));
    assert.ok(blue.p50Ms !== undefined && blue.p50Ms < 10, String(blue.p50Ms));
    assert.deepEqual(blue.durationsMs, [...blue.durationsMs].sort((a, b) => a - b));
  });

  test('a dial of no known color is counted apart', () => {
    const partial = aggregateTraffic(roundtrips, new Map([[FIXTURE_DIALS.green, { service: 'web', color: 'green' as const }]]), ALL_TIME);
    assert.equal(partial.unknownDials, 8);
    assert.equal(partial.colors.blue.total.requests, 0);
  });
});

function roundtrip(change: Partial<Roundtrip>): Roundtrip {
  return { atMs: 1000, dial: 'a:1', status: 200, durationMs: 10, method: 'GET', path: '/', failed: false, canceled: false, error: undefined, ...change };
}

describe('aggregateTraffic', () => {
  const owners = new Map<string, DialOwner>([
    ['a:1', { service: 'api', color: 'blue' }],
    ['b:1', { service: 'api', color: 'green' }],
    ['w:1', { service: 'web', color: 'green' }],
  ]);

  test('counts only the window [from, to)', () => {
    const traffic = aggregateTraffic([999, 1000, 1999, 2000].map((atMs) => roundtrip({ atMs })), owners, { fromMs: 1000, toMs: 2000 });
    assert.equal(traffic.colors.blue.total.requests, 2);
  });

  test('5xx are errors, 4xx and 3xx are answers', () => {
    const statuses = [200, 301, 404, 429, 499, 500, 502, 503, 504];
    const traffic = aggregateTraffic(statuses.map((status) => roundtrip({ status })), owners, ALL_TIME);
    assert.deepEqual([traffic.colors.blue.total.requests, traffic.colors.blue.total.errors], [9, 4]);
  });

  test('per service within a color', () => {
    const traffic = aggregateTraffic([roundtrip({ dial: 'b:1' }), roundtrip({ dial: 'w:1', status: 500 }), roundtrip({ dial: 'w:1' })], owners, ALL_TIME);
    const green = traffic.colors.green;
    assert.deepEqual([green.total.requests, green.total.errors], [3, 1]);
    assert.deepEqual([green.services.api!.total.requests, green.services.web!.total.requests, green.services.web!.total.errors], [1, 2, 1]);
  });

  test('routes past maxRoutes share one row, and no request is lost', () => {
    const paths = ['/a', '/b', '/c', '/d', '/a'];
    const traffic = aggregateTraffic(paths.map((path) => roundtrip({ path })), owners, ALL_TIME, { maxRoutes: 2 });
    const routes = traffic.colors.blue.services.api!.routes;
    assert.deepEqual(Object.fromEntries(Object.entries(routes).map(([r, f]) => [r, f.requests])), { 'GET /a': 2, 'GET /b': 1, [OTHER_ROUTES]: 2 });
  });

  test('no traffic: zero counts and no percentiles', () => {
    const traffic = aggregateTraffic([], owners, ALL_TIME);
    assert.deepEqual(traffic.colors.blue.total, { requests: 0, errors: 0, failedRoundtrips: 0, canceled: 0, durationsMs: [], p50Ms: undefined, p90Ms: undefined, p99Ms: undefined });
  });

  test('p50, p90 and p99 by nearest rank', () => {
    const traffic = aggregateTraffic(Array.from({ length: 100 }, (_, i) => roundtrip({ durationMs: 100 - i })), owners, ALL_TIME);
    const { p50Ms, p90Ms, p99Ms } = traffic.colors.blue.total;
    assert.deepEqual([p50Ms, p90Ms, p99Ms], [50, 90, 99]);
  });
});
