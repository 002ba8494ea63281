import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canaryOptionsFrom } from '../../../src/commands/canary-flags.js';
import { parseRealTrafficFlags } from '../../../src/domain/parse-real-traffic-flags.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS } from '../../../src/domain/real-traffic-thresholds.js';
import { UsageError } from '../../../src/errors.js';

describe('real-traffic flags', () => {
  test('defaults, and every flag read', () => {
    assert.deepEqual(parseRealTrafficFlags({}), { thresholds: DEFAULT_REAL_TRAFFIC_THRESHOLDS, windowMs: 30_000, ignoreRoutes: [] });
    const parsed = parseRealTrafficFlags({
      alpha: '0.01',
      minRequests: '20',
      minErrors: '5',
      minErrorRateIncrease: '2%',
      latencyMinSamples: '50',
      latencyFactor: '2',
      latencyMargin: '100ms',
      analysisWindow: '10s',
      ignoreRoute: ['GET /health,post /users/:id', 'DELETE /x'],
    });
    assert.deepEqual(parsed, {
      thresholds: { alpha: 0.01, minRequests: 20, minErrors: 5, minErrorRateIncrease: 0.02, latencyMinSamples: 50, latencyFactor: 2, latencyMarginMs: 100 },
      windowMs: 10_000,
      ignoreRoutes: ['GET /health', 'POST /users/:id', 'DELETE /x'],
    });
    assert.equal(parseRealTrafficFlags({ realTraffic: false }), undefined);
  });

  const refused: Array<[string, Parameters<typeof parseRealTrafficFlags>[0], RegExp]> = [
    ['alpha 0', { alpha: '0' }, /^--alpha 0: /],
    ['alpha above 0.5', { alpha: '0.6' }, /^--alpha 0.6: /],
    ['alpha not a number', { alpha: 'often' }, /^--alpha often: /],
    ['min-requests 0', { minRequests: '0' }, /^--min-requests 0: write a whole number of at least 1$/],
    ['min-errors fractional', { minErrors: '2.5' }, /^--min-errors 2.5: /],
    ['increase of 100%', { minErrorRateIncrease: '100%' }, /^--min-error-rate-increase 100%: /],
    ['latency factor below 1', { latencyFactor: '0.5' }, /^--latency-factor 0.5: /],
    ['latency-min-samples below 10', { latencyMinSamples: '5' }, /^--latency-min-samples 5: /],
    ['negative margin', { latencyMargin: '-5ms' }, /^--latency-margin -5ms: /],
    ['window under a second', { analysisWindow: '500ms' }, /^--analysis-window 500ms: /],
    ['a route with an unknown method', { ignoreRoute: ['FETCH /x'] }, /^--ignore-route "FETCH \/x": write a method and a path/],
    ['a route with a raw identifier', { ignoreRoute: ['GET /users/42'] }, /cutover writes it "GET \/users\/:id"/],
    ['a route with a query string', { ignoreRoute: ['GET /search?q=1'] }, /no request is ever counted under that route/],
    ['a route without a path', { ignoreRoute: ['GET'] }, /write a method and a path/],
  ];
  for (const [what, flags, message] of refused) {
    test(`refused, one line: ${what}`, () => {
      assert.throws(() => parseRealTrafficFlags(flags), (error: unknown) => error instanceof UsageError && error.exitCode === 2 && message.test(error.message) && !error.message.includes('\n'));
    });
  }

  test('checked by canaryOptionsFrom before anything happens, and refused without --canary', () => {
    assert.throws(() => canaryOptionsFrom({ canary: '10', stepInterval: '60s', alpha: '7' }), UsageError);
    assert.throws(() => canaryOptionsFrom({ stepInterval: '60s', minRequests: '10' }), /--min-requests applies only to a canary/);
    assert.throws(() => canaryOptionsFrom({ stepInterval: '60s', realTraffic: false }), /--no-real-traffic applies only to a canary/);
    assert.equal(canaryOptionsFrom({ stepInterval: '60s', realTraffic: true }), undefined);
    assert.deepEqual(canaryOptionsFrom({ canary: '10', stepInterval: '60s' })?.realTraffic?.windowMs, 30_000);
  });

  test('--latency-warmup: 10 s by default, a duration from 0 to 10m, canary only', () => {
    assert.equal(canaryOptionsFrom({ canary: '10', stepInterval: '60s' })?.latencyWarmupMs, 10_000);
    assert.equal(canaryOptionsFrom({ canary: '10', stepInterval: '60s', latencyWarmup: '0' })?.latencyWarmupMs, 0);
    assert.equal(canaryOptionsFrom({ canary: '10', stepInterval: '60s', latencyWarmup: '30s' })?.latencyWarmupMs, 30_000);
    for (const bad of ['11m', 'soon', '-1s']) {
      assert.throws(() => canaryOptionsFrom({ canary: '10', stepInterval: '60s', latencyWarmup: bad }), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /^--latency-warmup .*: write a duration from 0 to 10m/.test(e.message));
    }
    assert.throws(() => canaryOptionsFrom({ stepInterval: '60s', latencyWarmup: '5s' }), /--latency-warmup applies only to a canary/);
  });
});
