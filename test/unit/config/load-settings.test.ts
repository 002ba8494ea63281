import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigInvalidError, formatConfigProblem } from '../../../src/errors.js';
import { loadSettings, readSettings } from '../../../src/config/load-settings.js';

describe('loadSettings', () => {
  test('defaults are those of the reference script', () => {
    assert.deepEqual(loadSettings({}), { healthCheckTimeoutMs: 300_000, healthCheckIntervalMs: 3_000, drainTimeoutMs: 30_000, healthFailFast: false });
  });

  const values: Array<[string, number]> = [
    ['300', 300_000],
    ['300s', 300_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
    ['90500ms', 90_500],
    [' 60 ', 60_000],
  ];
  for (const [text, ms] of values) {
    test(`HEALTH_CHECK_TIMEOUT=${JSON.stringify(text)} is ${ms} ms`, () => {
      assert.equal(loadSettings({ HEALTH_CHECK_TIMEOUT: text }).healthCheckTimeoutMs, ms);
    });
  }

  test('the environment wins over .env, .env over the defaults, empty means default', () => {
    const settings = loadSettings({ HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '' }, { HEALTH_CHECK_TIMEOUT: '999', HEALTH_CHECK_INTERVAL: '5', DRAIN_TIMEOUT: '45' });
    assert.deepEqual(settings, { healthCheckTimeoutMs: 120_000, healthCheckIntervalMs: 5_000, drainTimeoutMs: 45_000, healthFailFast: false });
  });

  const bad: Array<[Record<string, string>, Record<string, string>, string[]]> = [
    [{ HEALTH_CHECK_TIMEOUT: 'abc' }, {}, ['environment: HEALTH_CHECK_TIMEOUT: "abc" is not a duration; use seconds (300) or a unit (300s, 5m)']],
    [{ HEALTH_CHECK_TIMEOUT: '0' }, {}, ['environment: HEALTH_CHECK_TIMEOUT: "0" must be positive; use seconds (300) or a unit (300s, 5m)']],
    [{ DRAIN_TIMEOUT: '-5' }, {}, ['environment: DRAIN_TIMEOUT: "-5" must be positive; use seconds (300) or a unit (300s, 5m)']],
    [{}, { HEALTH_CHECK_INTERVAL: '3 seconds' }, ['.env: HEALTH_CHECK_INTERVAL: "3 seconds" is not a duration; use seconds (300) or a unit (300s, 5m)']],
    [{ HEALTH_CHECK_TIMEOUT: '2', HEALTH_CHECK_INTERVAL: '3' }, {}, ['environment: HEALTH_CHECK_INTERVAL: 3.0 s must be less than HEALTH_CHECK_TIMEOUT (2.0 s)']],
    [{ HEALTH_CHECK_TIMEOUT: '3s' }, {}, ['environment: HEALTH_CHECK_TIMEOUT: 3.0 s must be more than HEALTH_CHECK_INTERVAL (3.0 s)']],
    [
      { HEALTH_CHECK_TIMEOUT: 'x', DRAIN_TIMEOUT: '0s' },
      {},
      [
        'environment: HEALTH_CHECK_TIMEOUT: "x" is not a duration; use seconds (300) or a unit (300s, 5m)',
        'environment: DRAIN_TIMEOUT: "0s" must be positive; use seconds (300) or a unit (300s, 5m)',
      ],
    ],
  ];
  for (const [env, dotenv, messages] of bad) {
    test(`refuses ${JSON.stringify({ ...env, ...dotenv })}`, () => {
      assert.throws(
        () => loadSettings(env, dotenv),
        (error: unknown) => {
          assert.ok(error instanceof ConfigInvalidError);
          assert.deepEqual(error.problems.map(formatConfigProblem), messages);
          return true;
        },
      );
    });
  }

  test('HEALTH_FAIL_FAST is off by default, on with 1/true/yes/on, the environment first', () => {
    assert.equal(loadSettings({}).healthFailFast, false);
    for (const on of ['1', 'true', 'YES', ' on ']) assert.equal(loadSettings({ HEALTH_FAIL_FAST: on }).healthFailFast, true, on);
    for (const off of ['0', 'false', 'no', 'off', '']) assert.equal(loadSettings({ HEALTH_FAIL_FAST: off }).healthFailFast, false, off);
    assert.equal(loadSettings({}, { HEALTH_FAIL_FAST: '1' }).healthFailFast, true);
    assert.equal(loadSettings({ HEALTH_FAIL_FAST: '0' }, { HEALTH_FAIL_FAST: '1' }).healthFailFast, false);
  });

  test('HEALTH_FAIL_FAST=maybe is refused with what to write', () => {
    assert.throws(
      () => loadSettings({}, { HEALTH_FAIL_FAST: 'maybe' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigInvalidError);
        assert.deepEqual(error.problems.map(formatConfigProblem), ['.env: HEALTH_FAIL_FAST: "maybe" is not on or off; use 1 or 0']);
        return true;
      },
    );
  });

  test('readSettings returns problems instead of throwing', () => {
    const { problems } = readSettings([{ file: 'environment', values: { DRAIN_TIMEOUT: 'soon' } }]);
    assert.equal(problems.length, 1);
  });
});
