import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRoundtripLine, type Roundtrip } from '../../../src/domain/parse-roundtrip-line.js';
import { FIXTURE_DIALS, fixtureLines } from './caddy-log-fixture.js';

const lines = fixtureLines('roundtrip-2.6.2.log');
const { blue, green, dead } = FIXTURE_DIALS;

describe('parseRoundtripLine on lines Caddy 2.6.2 wrote', () => {
  type Expected = Omit<Roundtrip, 'atMs' | 'durationMs' | 'error'> & { atMs: number; minMs: number; maxMs: number };
  const at = (seconds: number): number => seconds * 1000;
  const ok = { failed: false, canceled: false };
  const cases: Array<[number, Expected]> = [
    [1, { dial: blue, status: 200, method: 'GET', path: '/', ...ok, atMs: at(1796020652.8865874), minMs: 17.4, maxMs: 17.5 }],
    [3, { dial: blue, status: 200, method: 'GET', path: '/users/42', ...ok, atMs: at(1796020652.898602), minMs: 5.6, maxMs: 5.7 }],
    [5, { dial: blue, status: 500, method: 'GET', path: '/fail/7', ...ok, atMs: at(1796020652.9080462), minMs: 1.9, maxMs: 2.0 }],
    [7, { dial: blue, status: 404, method: 'GET', path: '/missing', ...ok, atMs: at(1796020652.9182055), minMs: 4.8, maxMs: 4.9 }],
    [9, { dial: blue, status: 200, method: 'GET', path: '/slow', ...ok, atMs: at(1796020653.2292254), minMs: 302.9, maxMs: 303 }],
    [11, { dial: dead, status: undefined, method: 'GET', path: '/dead/x', failed: true, canceled: false, atMs: at(1796020653.2406638), minMs: 0.3, maxMs: 0.4 }],
    [13, { dial: blue, status: 200, method: 'POST', path: '/orders/3f2b8c1e-9a4d-4e2f-8b1a-0c9d8e7f6a5b', ...ok, atMs: at(1796020653.248082), minMs: 2.2, maxMs: 2.3 }],
    [15, { dial: green, status: 200, method: 'GET', path: '/green', ...ok, atMs: at(1796020653.2573347), minMs: 4.3, maxMs: 4.4 }],
    [17, { dial: blue, status: undefined, method: 'GET', path: '/slow/canceled', failed: true, canceled: true, atMs: at(1796020653.3100262), minMs: 49.5, maxMs: 49.6 }],
  ];
  for (const [index, expected] of cases) {
    test(`line ${index}: ${expected.method} ${expected.path} -> ${expected.status ?? (expected.canceled ? 'canceled' : 'failed')}`, () => {
      const parsed = parseRoundtripLine(lines[index]!);
      assert.equal(parsed.kind, 'roundtrip');
      if (parsed.kind !== 'roundtrip') return;
      const { durationMs, atMs, error, ...rest } = parsed.roundtrip;
      const { minMs, maxMs, atMs: expectedAt, ...fields } = expected;
      assert.deepEqual(rest, fields);
      assert.ok(durationMs >= minMs && durationMs <= maxMs, `duration ${durationMs} ms not in [${minMs}, ${maxMs}]`);
      assert.ok(Math.abs(atMs - expectedAt) < 0.01, `at ${atMs}, expected ${expectedAt}`);
      assert.equal(error !== undefined, expected.failed);
    });
  }

  test('the failed dial keeps Caddy\'s error text', () => {
    const parsed = parseRoundtripLine(lines[11]!);
    assert.equal(parsed.kind === 'roundtrip' && parsed.roundtrip.error, `dial tcp ${dead}: connect: connection refused`);
  });

  test('every "selected upstream" line is skipped, not counted', () => {
    const selected = lines.filter((line) => line.includes('"selected upstream"'));
    assert.equal(selected.length, 9);
    for (const line of selected) assert.deepEqual(parseRoundtripLine(line), { kind: 'not-roundtrip' });
  });

  test("every line of Caddy's default log (other loggers) is skipped", () => {
    const others = fixtureLines('default-log-2.6.2.log');
    assert.ok(others.length >= 5);
    for (const line of others) assert.deepEqual(parseRoundtripLine(line), { kind: 'not-roundtrip' });
  });
});

describe('parseRoundtripLine on lines it cannot read', () => {
  const roundtrip = JSON.parse(lines[1]!) as Record<string, unknown>;
  const variant = (change: Record<string, unknown>): string => JSON.stringify({ ...roundtrip, ...change });
  const cases: Array<[string, string, string]> = [
    ['text that is not JSON', 'panic: runtime error', 'not JSON'],
    ['a cut-off line', lines[1]!.slice(0, 80), 'not JSON'],
    ['a JSON array', '[1,2]', 'not a JSON object'],
    ['JSON null', 'null', 'not a JSON object'],
    ['no ts', variant({ ts: undefined }), 'no numeric "ts"'],
    ['no upstream', variant({ upstream: undefined }), 'no "upstream"'],
    ['a duration as text', variant({ duration: '5ms' }), 'no numeric "duration" in seconds'],
    ['a negative duration', variant({ duration: -1 }), 'no numeric "duration" in seconds'],
    ['no request', variant({ request: undefined }), 'no "request" with "method" and "uri"'],
    ['a request without uri', variant({ request: { method: 'GET' } }), 'no "request" with "method" and "uri"'],
    ['a status as text', variant({ status: '200' }), 'a "status" that is not an HTTP status'],
    ['a status out of range', variant({ status: 42 }), 'a "status" that is not an HTTP status'],
    ['an error that is not text', variant({ status: undefined, error: { code: 1 } }), 'an "error" that is not text'],
  ];
  for (const [what, line, reason] of cases) {
    test(`${what} is unparseable: ${reason}`, () => assert.deepEqual(parseRoundtripLine(line), { kind: 'unparseable', reason }));
  }

  const skipped: Array<[string, string]> = [
    ['an empty line', ''],
    ['a blank line', '  \r'],
    ['another message of the same logger', variant({ msg: 'aborting with incomplete response' })],
    ['the same message of another logger', variant({ logger: 'http.log.access' })],
  ];
  for (const [what, line] of skipped) {
    test(`${what} is not a round trip`, () => assert.deepEqual(parseRoundtripLine(line), { kind: 'not-roundtrip' }));
  }

  test('a round trip with neither status nor error counts as failed, not lost', () => {
    const parsed = parseRoundtripLine(variant({ status: undefined }));
    assert.equal(parsed.kind === 'roundtrip' && parsed.roundtrip.failed, true);
  });
});
