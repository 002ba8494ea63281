import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { DialOwner } from '../../../src/domain/aggregate-traffic.js';
import type { Roundtrip } from '../../../src/domain/parse-roundtrip-line.js';
import { DEFAULT_REAL_TRAFFIC_THRESHOLDS } from '../../../src/domain/real-traffic-thresholds.js';
import type { TrafficLogPiece, TrafficLogReader } from '../../../src/run/traffic-log-reader.js';
import { watchRealTraffic } from '../../../src/run/watch-real-traffic.js';

const OLD = '127.0.0.1:1';
const NEW = '127.0.0.1:2';
const owners = new Map<string, DialOwner>([
  [OLD, { service: 'web', color: 'blue' }],
  [NEW, { service: 'web', color: 'green' }],
]);

function rt(dial: string, atMs: number, path: string, status: number, preview = false): Roundtrip {
  return { atMs, dial, status, durationMs: 5, method: 'GET', path, failed: false, canceled: false, error: undefined, ...(preview ? { preview: true as const } : {}) };
}

/** Lines handed over piece by piece, as a reader of Caddy's log would (the file and the Docker stream are tested on their own). */
function pieces(list: TrafficLogPiece[]): TrafficLogReader {
  return { describe: 'test', take: async () => list.shift() ?? { roundtrips: [], unparseable: 0, firstUnparseable: undefined }, close: async () => undefined };
}

function logger(): { logger: pino.Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push((JSON.parse(line) as { event: string }).event) }), warnings };
}

const settings = { thresholds: DEFAULT_REAL_TRAFFIC_THRESHOLDS, windowMs: 10_000, ignoreRoutes: [] as string[] };

test('half of one route failing on the new color is worse; probes are left out; old round trips slide out of the window', async () => {
  let now = 100_000;
  const failing: Roundtrip[] = [];
  for (let i = 0; i < 30; i++) failing.push(rt(NEW, now + i, i % 2 === 0 ? '/version' : '/', i % 4 === 0 ? 500 : 200));
  const healthyOld = Array.from({ length: 270 }, (_, i) => rt(OLD, now + i, i % 2 === 0 ? '/version' : '/', 200));
  // Probes to the new color, all failing: not real traffic.
  const probes = Array.from({ length: 50 }, (_, i) => rt(NEW, now + i, '/', 500, true));
  const { logger: log, warnings } = logger();
  const watch = watchRealTraffic(pieces([{ roundtrips: [...failing, ...healthyOld, ...probes], unparseable: 2, firstUnparseable: 'not JSON' }]), {
    colors: { old: 'blue', new: 'green' },
    settings,
    logger: log,
    nowMs: () => now,
  });
  watch.addOwners(owners);
  now += 1_000;
  const look = await watch.look();
  assert.equal(look.verdict, 'worse');
  assert.match(look.reason ?? '', /^green error rate 26\.7% \(8 of 30 real requests, all requests\) is significantly above blue's 0\.0% \(0 of 270/);
  assert.deepEqual([look.figures['real.new.requests'], look.figures['real.new.errors'], look.figures['real.unparseable']], [30, 8, 2]);
  assert.equal(look.figures['real.route.web GET /version.new.errors'], 8);
  assert.deepEqual(warnings, ['traffic.unparseable']);

  now += 20_000;
  const later = await watch.look();
  assert.deepEqual([later.verdict, later.figures['real.new.requests'], later.figures['real.old.requests']], ['inconclusive', 0, 0], 'the window slid past them');
});

test('the same background errors in both colors are not worse; an ignored route is left out', async () => {
  let now = 100_000;
  const lines: Roundtrip[] = [];
  for (let i = 0; i < 500; i++) lines.push(rt(NEW, now + i, '/a', i % 50 === 0 ? 500 : 200));
  for (let i = 0; i < 2000; i++) lines.push(rt(OLD, now + i, '/a', i % 50 === 0 ? 500 : 200));
  for (let i = 0; i < 100; i++) lines.push(rt(NEW, now + i, '/flaky', 500));
  const watch = watchRealTraffic(pieces([{ roundtrips: lines, unparseable: 0, firstUnparseable: undefined }]), {
    colors: { old: 'blue', new: 'green' },
    settings: { ...settings, ignoreRoutes: ['GET /flaky'] },
    logger: logger().logger,
    nowMs: () => now,
  });
  watch.addOwners(owners);
  now += 3_000;
  const look = await watch.look();
  assert.equal(look.verdict, 'ok', look.summary);
  assert.equal(look.figures['real.new.requests'], 500);
});

test('no line at all after a few seconds (not even the probes): said once, the verdict is inconclusive', async () => {
  let now = 0;
  const { logger: log, warnings } = logger();
  const watch = watchRealTraffic(pieces([]), { colors: { old: 'blue', new: 'green' }, settings, logger: log, nowMs: () => now });
  for (const at of [1_000, 4_000, 8_000]) {
    now = at;
    assert.equal((await watch.look()).verdict, 'inconclusive');
  }
  assert.deepEqual(warnings, ['traffic.silent']);
});

test('warm-up: the new color slow in its first seconds is not judged on latency; errors are; a color still slow after it is worse', async () => {
  let now = 100_000;
  const timed = (dial: string, atMs: number, durationMs: number, status = 200): Roundtrip => ({ ...rt(dial, atMs, '/a', status), durationMs });
  const lines: Roundtrip[] = [];
  // The first 5 s: the new color cold (300 ms), the old one 10 ms.
  for (let i = 0; i < 500; i++) lines.push(timed(NEW, now + i * 10, 300), timed(OLD, now + i * 10, 10));
  const later: Roundtrip[] = [];
  const watch = watchRealTraffic(pieces([{ roundtrips: lines, unparseable: 0, firstUnparseable: undefined }, { roundtrips: later, unparseable: 0, firstUnparseable: undefined }]), {
    colors: { old: 'blue', new: 'green' },
    settings: { ...settings, windowMs: 30_000 },
    logger: logger().logger,
    nowMs: () => now,
  });
  watch.addOwners(owners);
  watch.judgeLatencyFrom(now + 10_000);
  now += 5_000;
  const cold = await watch.look();
  assert.equal(cold.verdict, 'ok', `latency is not judged in the warm-up: ${cold.summary}`);
  assert.equal(cold.figures['real.new.requests'], 500, 'the requests still count');
  // After the warm-up the new color is still 300 ms: worse.
  for (let i = 0; i < 500; i++) later.push(timed(NEW, now + 5_000 + i * 10, 300), timed(OLD, now + 5_000 + i * 10, 10));
  now += 11_000;
  const warm = await watch.look();
  assert.equal(warm.verdict, 'worse', warm.summary);
  assert.match(warm.reason ?? '', /^green p99 latency 300 ms on real requests \(all requests\)/);
});

test('warm-up never excuses errors', async () => {
  let now = 100_000;
  const lines: Roundtrip[] = [];
  for (let i = 0; i < 100; i++) lines.push(rt(NEW, now + i, '/a', i % 5 === 0 ? 500 : 200), rt(OLD, now + i, '/a', 200), rt(OLD, now + i, '/a', 200));
  const watch = watchRealTraffic(pieces([{ roundtrips: lines, unparseable: 0, firstUnparseable: undefined }]), { colors: { old: 'blue', new: 'green' }, settings, logger: logger().logger, nowMs: () => now });
  watch.addOwners(owners);
  watch.judgeLatencyFrom(now + 60_000);
  now += 1_000;
  assert.equal((await watch.look()).verdict, 'worse');
});
