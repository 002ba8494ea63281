import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { bakeOptionsFrom } from '../../../src/commands/bake-flags.js';
import { canaryOptionsFrom } from '../../../src/commands/canary-flags.js';
import type { DialOwner } from '../../../src/domain/aggregate-traffic.js';
import { parseBake } from '../../../src/domain/parse-bake.js';
import type { Roundtrip } from '../../../src/domain/parse-roundtrip-line.js';
import { planRecovery } from '../../../src/domain/plan-recovery.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS } from '../../../src/domain/real-traffic-thresholds.js';
import { UsageError } from '../../../src/errors.js';
import type { Operation } from '../../../src/state/state-schema.js';
import type { TrafficLogPiece } from '../../../src/run/traffic-log-reader.js';
import { watchBake } from '../../../src/run/watch-bake.js';

const NEW = '127.0.0.1:2';
const OLD = '127.0.0.1:1';
const owners = new Map<string, DialOwner>([
  [OLD, { service: 'web', color: 'blue' }],
  [NEW, { service: 'web', color: 'green' }],
]);
const settings = { thresholds: DEFAULT_REAL_TRAFFIC_THRESHOLDS, windowMs: 10_000, ignoreRoutes: [] as string[] };
const silent = pino({ level: 'silent' });

function rt(dial: string, atMs: number, status: number, durationMs = 5): Roundtrip {
  return { atMs, dial, status, durationMs, method: 'GET', path: '/version', failed: false, canceled: false, error: undefined };
}

function reader(pieces: Roundtrip[][]) {
  return {
    describe: 'test',
    take: async (): Promise<TrafficLogPiece> => ({ roundtrips: pieces.shift() ?? [], unparseable: 0, firstUnparseable: undefined }),
    close: async () => undefined,
  };
}

describe('--bake', () => {
  test('a duration from 3s to 24h; absent is off; every refusal one line, exit 2', () => {
    assert.equal(parseBake(undefined), undefined);
    assert.equal(parseBake('5m'), 300_000);
    assert.equal(parseBake('3000'), 3_000);
    for (const bad of ['2s', '25h', 'later', '']) {
      assert.throws(() => parseBake(bad), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /^--bake .*: write a duration from 3s to 24h/.test(e.message) && !e.message.includes('\n'));
    }
  });

  test('after a canary it takes the canary real-traffic settings; refused with --no-real-traffic; --latency-warmup allowed with it alone', () => {
    const canary = canaryOptionsFrom({ canary: '10', stepInterval: '60s', analysisWindow: '20s' });
    assert.equal(bakeOptionsFrom({ stepInterval: '60s', bake: '1m' }, canary)?.settings.windowMs, 20_000);
    const probesOnly = canaryOptionsFrom({ canary: '10', stepInterval: '60s', realTraffic: false });
    assert.throws(() => bakeOptionsFrom({ stepInterval: '60s', bake: '1m' }, probesOnly), /--bake judges the real traffic/);
    const flags = { stepInterval: '60s', bake: '1m', latencyWarmup: '2s' };
    assert.equal(canaryOptionsFrom(flags), undefined);
    assert.equal(bakeOptionsFrom(flags, undefined)?.warmupMs, 2_000);
    assert.equal(bakeOptionsFrom({ stepInterval: '60s' }, undefined), undefined);
  });

  test('plain switch: the first window after the warm-up is the reference; a version that starts failing later is worse', async () => {
    let now = 100_000;
    const healthy = Array.from({ length: 300 }, (_, i) => rt(NEW, now + 1_000 + i * 10, 200));
    const failing = Array.from({ length: 300 }, (_, i) => rt(NEW, now + 5_000 + i * 10, i % 4 === 0 ? 500 : 200));
    const watch = watchBake(reader([healthy, [], failing]), { color: 'green', owners, settings, baseline: undefined, referenceMs: 3_000, warmupMs: 1_000, logger: silent, nowMs: () => now });
    now += 2_000;
    assert.equal((await watch.look()).kind, 'reference');
    now += 3_000;
    const first = await watch.look();
    assert.ok(first.kind === 'judged' && first.verdict !== 'worse');
    assert.equal(watch.baseline()?.traffic.total.requests, 300);
    now += 4_000;
    const later = await watch.look();
    assert.ok(later.kind === 'judged');
    assert.equal(later.verdict, 'worse', later.summary);
    assert.match(later.reason ?? '', /^green error rate 25\.0% \(75 of 300 real requests in the last 5(\.0)? s, all requests\) is significantly above green in its first 3(\.0)? s after the warm-up: 0\.0% \(0 of 300/);
  });

  test('after a canary: judged at once against the old color before the switch; the same background errors are not worse', async () => {
    let now = 100_000;
    const old = Array.from({ length: 1000 }, (_, i) => rt(OLD, now - 20_000 + i * 10, i % 50 === 0 ? 500 : 200));
    const { aggregateTraffic } = await import('../../../src/domain/aggregate-traffic.js');
    const before = aggregateTraffic(old, owners, { fromMs: now - 30_000, toMs: now });
    const same = Array.from({ length: 500 }, (_, i) => rt(NEW, now + i * 10, i % 50 === 0 ? 500 : 200));
    const watch = watchBake(reader([same]), { color: 'green', owners, settings, baseline: { traffic: before.colors.blue, name: 'blue before the switch' }, referenceMs: 3_000, warmupMs: 0, logger: silent, nowMs: () => now });
    now += 6_000;
    const look = await watch.look();
    assert.ok(look.kind === 'judged');
    assert.equal(look.verdict, 'ok', look.summary);
    assert.deepEqual([look.figures['bake.new.requests'], look.figures['bake.baseline.requests']], [500, 1000]);
  });

  test('a deploy killed while baking is undone like a canary between steps; promote finishes it', () => {
    const operation = { id: 'd', kind: 'deploy', fromColor: 'blue', toColor: 'green', fromVersion: 'v1', toVersion: 'v2', phase: 'baking', phaseStartedAt: '2026-01-01T00:00:01.000Z', phases: [], startedAt: '2026-01-01T00:00:00.000Z', pid: 1, host: 'h', stopOld: false, previousStandby: null, parked: [] } as Operation;
    const undo = planRecovery(operation, { kind: 'color', color: 'green' }, 'other');
    assert.deepEqual([undo.direction, undo.switchTo], ['undo', 'blue']);
    assert.match(undo.reason, /its bake had not passed: undone$/);
    assert.deepEqual([planRecovery(operation, { kind: 'color', color: 'blue' }, 'other').switchTo, planRecovery(operation, { kind: 'color', color: 'green' }, 'promote').direction], [undefined, 'finish']);
  });
});
