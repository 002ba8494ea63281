import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCanarySteps } from '../../../src/domain/canary-steps.js';
import { weightedUpstreams, type CaddyFeatures } from '../../../src/domain/weighted-upstreams.js';
import { UsageError } from '../../../src/errors.js';

const OLD: CaddyFeatures = { weights: 'duplicates', cookieFallback: false };
const NEW: CaddyFeatures = { weights: 'native', cookieFallback: true };

describe('parseCanarySteps', () => {
  const good: Array<[string, boolean, { weights: number[]; pauseAfter: number[] }]> = [
    ['10,25,50', false, { weights: [10, 25, 50], pauseAfter: [] }],
    ['10%, 25%', false, { weights: [10, 25], pauseAfter: [] }],
    ['10,25,pause,50', false, { weights: [10, 25, 50], pauseAfter: [1] }],
    ['5,pause', false, { weights: [5], pauseAfter: [0] }],
    ['10,50', true, { weights: [10, 50], pauseAfter: [0, 1] }],
  ];
  for (const [spec, pause, expected] of good) test(`${spec}${pause ? ' --pause' : ''}`, () => assert.deepEqual(parseCanarySteps(spec, pause), expected));

  const bad: Array<[string, string]> = [
    ['', '--canary : "" is not a percentage from 1 to 99 (100 is the final flip, which always follows)'],
    ['10,100', '--canary 10,100: "100" is not a percentage from 1 to 99 (100 is the final flip, which always follows)'],
    ['0', '--canary 0: "0" is not a percentage from 1 to 99 (100 is the final flip, which always follows)'],
    ['25,10', '--canary 25,10: steps must rise (10 after 25)'],
    ['pause,10', '--canary pause,10: pause must follow a step'],
    ['10;rm', '--canary 10;rm: "10;rm" is not a percentage from 1 to 99 (100 is the final flip, which always follows)'],
  ];
  for (const [spec, message] of bad) {
    test(`refuses ${JSON.stringify(spec)}`, () => assert.throws(() => parseCanarySteps(spec, false), (e: unknown) => e instanceof UsageError && e.message === message && e.exitCode === 2));
  }
});

describe('weightedUpstreams', () => {
  const dials = { blue: ['platform-blue:3000'], green: ['platform-green:3000'] };

  test('Caddy 2.6: duplicated entries under round_robin, reduced to the smallest exact cycle', () => {
    const ten = weightedUpstreams(dials, { blue: 90, green: 10 }, OLD, false);
    assert.deepEqual(ten.dials, [...Array<string>(9).fill('platform-blue:3000'), 'platform-green:3000']);
    assert.deepEqual(ten.loadBalancing, { selection_policy: { policy: 'round_robin' } });
    const quarter = weightedUpstreams(dials, { blue: 75, green: 25 }, OLD, false);
    assert.deepEqual(quarter.dials, ['platform-blue:3000', 'platform-blue:3000', 'platform-blue:3000', 'platform-green:3000']);
  });

  test('Caddy 2.7+: the shape weighted_round_robin expects (one entry per dial, weights by position)', () => {
    const split = weightedUpstreams(dials, { blue: 90, green: 10 }, NEW, false);
    assert.deepEqual(split, {
      dials: ['platform-blue:3000', 'platform-green:3000'],
      loadBalancing: { selection_policy: { policy: 'weighted_round_robin', weights: [9, 1] } },
    });
  });

  test('replicas share their color weight evenly', () => {
    const hosts = { blue: ['127.0.0.1:8101'], green: ['127.0.0.1:9001', '127.0.0.1:9002'] };
    const native = weightedUpstreams(hosts, { blue: 75, green: 25 }, NEW, false);
    assert.deepEqual(native.loadBalancing, { selection_policy: { policy: 'weighted_round_robin', weights: [6, 1, 1] } });
    const duplicated = weightedUpstreams(hosts, { blue: 75, green: 25 }, OLD, false);
    const count = (dial: string): number => duplicated.dials.filter((d) => d === dial).length;
    assert.deepEqual([count('127.0.0.1:8101'), count('127.0.0.1:9001'), count('127.0.0.1:9002')], [6, 1, 1]);
  });

  test('sticky wraps the split in cookie selection, with the split as fallback where Caddy has it', () => {
    assert.deepEqual(weightedUpstreams(dials, { blue: 90, green: 10 }, NEW, true).loadBalancing, {
      selection_policy: { policy: 'cookie', name: 'cutover_color', fallback: { policy: 'weighted_round_robin', weights: [9, 1] } },
    });
    assert.deepEqual(weightedUpstreams(dials, { blue: 90, green: 10 }, OLD, true).loadBalancing, { selection_policy: { policy: 'cookie', name: 'cutover_color' } });
  });
});
