import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_CANARY_THRESHOLDS,
  judgeCanary,
  parseMaxErrorRate,
  parseMaxLatencyP99,
  type CanaryFigures,
  type CanaryThresholds,
  type CanaryVerdict,
} from '../../../src/domain/canary-verdict.js';
import { colorFigures, type ColorFigures } from '../../../src/domain/color-figures.js';
import { describeCanaryFigures, formatPercent } from '../../../src/domain/describe-canary-figures.js';
import { latencyStats, nearestRank, probeLatencyStats } from '../../../src/domain/latency-stats.js';
import { UsageError } from '../../../src/errors.js';

const colors = { old: 'blue', new: 'green' } as const;

/** Figures of `probes` probes of which `errors` failed; the others all took `ms`. */
function color(probes: number, errors: number, ms = 10, p99Ms = ms): ColorFigures {
  return { probes, errors, resets: 0, errorRate: probes === 0 ? 0 : errors / probes, p50Ms: ms, p99Ms };
}

describe('nearestRank and latencyStats', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  const cases: Array<[string, number[], number, number | undefined]> = [
    ['p50 of 1..100', hundred, 50, 50],
    ['p99 of 1..100', hundred, 99, 99],
    ['p100 of 1..100', hundred, 100, 100],
    ['p0 is the smallest', hundred, 0, 1],
    ['p99 of 10 samples is the largest', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99, 10],
    ['p50 of 10 samples is the 5th', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    ['one sample', [7], 99, 7],
    ['no samples', [], 50, undefined],
  ];
  for (const [name, sorted, percent, expected] of cases) {
    test(name, () => assert.equal(nearestRank(sorted, percent), expected));
  }
  test('latencyStats sorts its samples and gives 0 for none', () => {
    assert.deepEqual(latencyStats([30, 10, 20, 40, 1000, 5, 6, 7, 8, 9]), { p50Ms: 9, p99Ms: 1000 });
    assert.deepEqual(latencyStats([]), { p50Ms: 0, p99Ms: 0 });
  });
  test('probeLatencyStats: one or two slow probes of 25 do not lift the p99; three do', () => {
    const steady = Array.from({ length: 25 }, (_, i) => 8 + (i % 5));
    assert.deepEqual(probeLatencyStats(steady), { p50Ms: 10, p99Ms: 12 });
    assert.equal(probeLatencyStats([...steady.slice(1), 217]).p99Ms, 12, 'one hiccup');
    assert.equal(probeLatencyStats([...steady.slice(2), 217, 300]).p99Ms, 12, 'two hiccups');
    assert.equal(probeLatencyStats([...steady.slice(3), 217, 300, 250]).p99Ms, 217, 'three slow probes');
  });
  test('probeLatencyStats: from 300 probes on, the p99 is the nearest-rank p99', () => {
    for (const n of [300, 301, 1000]) {
      const samples = Array.from({ length: n }, (_, i) => n - i);
      assert.equal(probeLatencyStats(samples).p99Ms, nearestRank([...samples].sort((a, b) => a - b), 99), `${n} probes`);
    }
    assert.deepEqual(probeLatencyStats([]), { p50Ms: 0, p99Ms: 0 });
  });
  test('colorFigures: error rate over all probes, latency over the answered ones', () => {
    assert.deepEqual(colorFigures({ probes: 4, errors: 1, resets: 2, latenciesMs: [3, 1, 2] }), {
      probes: 4,
      errors: 1,
      resets: 2,
      errorRate: 0.25,
      p50Ms: 2,
      p99Ms: 1,
    });
    assert.equal(colorFigures({ probes: 0, errors: 0, resets: 0, latenciesMs: [] }).errorRate, 0);
  });
});

describe('judgeCanary', () => {
  const cases: Array<{ name: string; figures: CanaryFigures; thresholds?: Partial<CanaryThresholds>; verdict: CanaryVerdict }> = [
    { name: 'healthy', figures: { old: color(50, 0), new: color(50, 0), caddyFails: 0 }, verdict: { ok: true } },
    {
      name: 'new errors above the threshold',
      figures: { old: color(20, 0), new: color(20, 7) },
      verdict: { ok: false, reason: 'green error rate 35.0% (7 of 20 probes) is above --max-error-rate 1.0% (blue: 0.0%)' },
    },
    {
      name: 'errors exactly at the threshold pass (1 of 100 is 1.0%)',
      figures: { old: color(100, 0), new: color(100, 1) },
      verdict: { ok: true },
    },
    {
      name: 'a raised --max-error-rate tolerates the same errors',
      figures: { old: color(20, 1), new: color(20, 7) },
      thresholds: { maxErrorRate: 0.4 },
      verdict: { ok: true },
    },
    {
      name: 'the same error rate in both colors is background, not the new version: no abort',
      figures: { old: color(40, 10), new: color(40, 10) },
      verdict: { ok: true },
    },
    {
      name: 'one failed probe of 21 against none of 21 (2 % background errors) is no evidence: no abort',
      figures: { old: color(21, 0), new: color(21, 1) },
      verdict: { ok: true },
    },
    {
      name: 'clearly more errors than the old color, which has some too: abort, the old rate shown',
      figures: { old: color(40, 2), new: color(40, 14) },
      verdict: { ok: false, reason: 'green error rate 35.0% (14 of 40 probes) is above --max-error-rate 1.0% (blue: 5.0%)' },
    },
    {
      name: 'an old color with too few probes is no yardstick: the ceiling alone decides',
      figures: { old: color(3, 0), new: color(20, 1) },
      verdict: { ok: false, reason: 'green error rate 5.0% (1 of 20 probes) is above --max-error-rate 1.0% (blue: 0.0%)' },
    },
    {
      name: 'too few probes: no verdict yet, even with every probe failing',
      figures: { old: color(9, 0), new: color(9, 9) },
      verdict: { ok: true, pending: 'green has 9 of the 10 probes needed for a verdict' },
    },
    {
      name: 'enough probes but too few answered ones to judge latency (a lax error rate)',
      figures: { old: color(20, 0), new: color(20, 12) },
      thresholds: { maxErrorRate: 0.9 },
      verdict: { ok: true, pending: 'green has 8 of the 10 answered probes needed to judge its latency' },
    },
    {
      name: 'latency factor: p99 above 2 x old p99 + 100 ms',
      figures: { old: color(30, 0, 20, 40), new: color(30, 0, 400, 450) },
      verdict: { ok: false, reason: "green p99 latency 450 ms is above 2 x blue's 40 ms + 100 ms = 180 ms (p50: green 400 ms, blue 20 ms)" },
    },
    {
      name: 'latency factor: exactly 2 x old p99 + 100 ms passes',
      figures: { old: color(30, 0, 20, 40), new: color(30, 0, 100, 180) },
      verdict: { ok: true },
    },
    {
      name: 'latency factor 3 as set',
      figures: { old: color(30, 0, 20, 40), new: color(30, 0, 100, 210) },
      thresholds: { latencyFactor: 3 },
      verdict: { ok: true },
    },
    {
      name: 'relative latency is not judged while the old color has too few answers',
      figures: { old: color(30, 25, 20, 40), new: color(30, 0, 400, 450) },
      thresholds: { maxErrorRate: 1 },
      verdict: { ok: true },
    },
    {
      name: 'absolute p99 above --max-latency-p99',
      figures: { old: color(30, 0, 300, 400), new: color(30, 0, 500, 650) },
      thresholds: { maxLatencyP99Ms: 500 },
      verdict: { ok: false, reason: 'green p99 latency 650 ms (30 answered probes) is above --max-latency-p99 500 ms (blue: 400 ms)' },
    },
    {
      name: 'absolute p99 under --max-latency-p99, and within the factor',
      figures: { old: color(30, 0, 300, 400), new: color(30, 0, 300, 450) },
      thresholds: { maxLatencyP99Ms: 500 },
      verdict: { ok: true },
    },
    {
      name: '--max-latency-p99 replaces the relative limit: 3x the old p99 passes when under the absolute one',
      figures: { old: color(30, 0, 20, 40), new: color(30, 0, 100, 300) },
      thresholds: { maxLatencyP99Ms: 500 },
      verdict: { ok: true },
    },
    {
      name: 'the error rate is reported before the latency',
      figures: { old: color(30, 0, 10, 10), new: color(30, 8, 900, 900) },
      thresholds: { maxLatencyP99Ms: 500 },
      verdict: { ok: false, reason: 'green error rate 26.7% (8 of 30 probes) is above --max-error-rate 1.0% (blue: 0.0%)' },
    },
    {
      name: "Caddy's fails fail the step",
      figures: { old: color(30, 0), new: color(30, 0), caddyFails: 3 },
      verdict: { ok: false, reason: "Caddy counted 3 failures of green's upstreams in this step (passive health checks), more than the 0 allowed" },
    },
    {
      name: "Caddy's fails are judged before the probes are enough",
      figures: { old: color(2, 0), new: color(2, 0), caddyFails: 1 },
      verdict: { ok: false, reason: "Caddy counted 1 failure of green's upstreams in this step (passive health checks), more than the 0 allowed" },
    },
    {
      name: "Caddy's fails within --max-caddy-fails",
      figures: { old: color(30, 0), new: color(30, 0), caddyFails: 2 },
      thresholds: { maxCaddyFails: 2 },
      verdict: { ok: true },
    },
    {
      name: 'thresholds given as undefined keep their defaults',
      figures: { old: color(20, 0), new: color(20, 6) },
      thresholds: { maxErrorRate: undefined as unknown as number },
      verdict: { ok: false, reason: 'green error rate 30.0% (6 of 20 probes) is above --max-error-rate 1.0% (blue: 0.0%)' },
    },
  ];
  for (const { name, figures, thresholds, verdict } of cases) {
    test(name, () => assert.deepEqual(judgeCanary(figures, thresholds ?? {}, colors), verdict));
  }

  test('warm-up: answered probes left out of the latency count for errors only; a step inside it is not pending on latency', () => {
    const slow = { ...color(30, 0), p99Ms: 900, latencySamples: 0 };
    const fast = { ...color(30, 0), p99Ms: 10, latencySamples: 0 };
    assert.deepEqual(judgeCanary({ old: fast, new: slow }, {}, colors), { ok: true });
    assert.deepEqual(judgeCanary({ old: fast, new: { ...slow, errors: 5, errorRate: 5 / 30 } }, {}, colors).ok, false, 'errors are never excused');
    // After the warm-up, enough timed samples: a really slow new color is judged.
    const judged = judgeCanary({ old: { ...fast, latencySamples: 20 }, new: { ...slow, latencySamples: 20 } }, {}, colors);
    assert.equal(judged.ok, false);
    assert.match(judged.ok ? '' : judged.reason, /green p99 latency 900 ms is above 2 x blue's/);
  });

  test('the colors are the ones given', () => {
    const verdict = judgeCanary({ old: color(20, 0), new: color(20, 20) }, {}, { old: 'green', new: 'blue' });
    assert.deepEqual(verdict, { ok: false, reason: 'blue error rate 100.0% (20 of 20 probes) is above --max-error-rate 1.0% (green: 0.0%)' });
  });

  test('defaults', () => {
    assert.deepEqual({ ...DEFAULT_CANARY_THRESHOLDS }, {
      maxErrorRate: 0.01,
      maxLatencyP99Ms: undefined,
      latencyFactor: 2,
      latencyMarginMs: 100,
      minProbes: 10,
      maxCaddyFails: 0,
    });
  });
});

describe('describing figures', () => {
  const percents: Array<[number, string]> = [
    [0, '0.0%'],
    [0.01, '1.0%'],
    [0.35, '35.0%'],
    [1, '100.0%'],
    [0.0025, '0.25%'],
    [1 / 3, '33.3%'],
  ];
  for (const [fraction, text] of percents) test(`formatPercent(${fraction}) is ${text}`, () => assert.equal(formatPercent(fraction), text));

  test('one line with both colors and Caddy fails', () => {
    const line = describeCanaryFigures({ old: color(30, 0, 4, 12.5), new: { ...color(30, 3, 2.25, 6), resets: 1 }, caddyFails: 2 }, colors);
    assert.equal(
      line,
      'green 10.0% errors (3 of 30 probes), p50 2.3 ms, p99 6 ms, 1 reset; blue 0.0% errors (0 of 30 probes), p50 4 ms, p99 13 ms; Caddy fails on green: 2',
    );
  });
});

describe('canary flags', () => {
  const rates: Array<[string, number]> = [
    ['1%', 0.01],
    ['0.5%', 0.005],
    ['100%', 1],
    ['0%', 0],
    ['0.01', 0.01],
    ['0', 0],
    ['1', 1],
    [' 2% ', 0.02],
  ];
  for (const [text, fraction] of rates) test(`--max-error-rate ${JSON.stringify(text)} is ${fraction}`, () => assert.equal(parseMaxErrorRate(text), fraction));

  for (const bad of ['5', '101%', '-1%', 'abc', '1 %', '', '1%%', '0.01.2']) {
    test(`--max-error-rate ${JSON.stringify(bad)} is refused`, () =>
      assert.throws(
        () => parseMaxErrorRate(bad),
        (error: unknown) =>
          error instanceof UsageError &&
          error.exitCode === 2 &&
          error.message === `--max-error-rate ${bad} is not an error rate: write a percentage like 1% or a fraction like 0.01 (at most 100% or 1)`,
      ));
  }

  const latencies: Array<[string, number]> = [
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['500', 500],
    ['250.5', 250.5],
    [' 750ms ', 750],
  ];
  for (const [text, ms] of latencies) test(`--max-latency-p99 ${JSON.stringify(text)} is ${ms} ms`, () => assert.equal(parseMaxLatencyP99(text), ms));

  for (const bad of ['0', '0ms', 'fast', '-5ms', '5 s', '', '1d']) {
    test(`--max-latency-p99 ${JSON.stringify(bad)} is refused`, () =>
      assert.throws(
        () => parseMaxLatencyP99(bad),
        (error: unknown) =>
          error instanceof UsageError &&
          error.message === `--max-latency-p99 ${bad} is not a latency: write a duration like 500ms or 2s, or a number of milliseconds like 500`,
      ));
  }
});
