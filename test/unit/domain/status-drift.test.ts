/**
 * findDrift, trafficDrifts and driftCause, table-driven: when Caddy (the truth
 * about traffic) and the state file's record disagree, and why.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LiveTraffic } from '../../../src/domain/read-traffic.js';
import { driftCause, findDrift, trafficDrifts, type DriftInput } from '../../../src/domain/status-drift.js';

const ADMIN = 'http://127.0.0.1:2019';
const blue: LiveTraffic = { kind: 'color', color: 'blue' };
const green: LiveTraffic = { kind: 'color', color: 'green' };
const plain: LiveTraffic = { kind: 'plain' };
const mixed: LiveTraffic = { kind: 'mixed', detail: 'web → blue + green' };

/** Blue v2 recorded as active, Caddy on blue with the recorded dials. */
function driftInput(overrides: Partial<DriftInput> = {}): DriftInput {
  return {
    active: { color: 'blue', version: 'v2' },
    canaryRecorded: false,
    live: blue,
    services: [{ service: 'web', dials: ['web-blue:3000'] }],
    targets: { web: { caddyAdmin: ADMIN, blue: ['web-blue:3000'], green: ['web-green:3000'] } },
    caddyAdmin: ADMIN,
    ...overrides,
  };
}

describe('findDrift', () => {
  const cases: Array<{ name: string; input: Partial<DriftInput>; entries: Array<[string, string | null, string]>; otherCaddy?: string[] }> = [
    { name: 'Caddy does what is recorded: none', input: {}, entries: [] },
    { name: 'the recorded dials in another order: none', input: { services: [{ service: 'web', dials: ['b:1', 'a:1'] }], targets: { web: { caddyAdmin: ADMIN, blue: ['a:1', 'b:1'], green: [] } } }, entries: [] },
    {
      name: 'Caddy on the other color',
      input: { live: green },
      entries: [['active-color', null, 'the state file says blue is active, but Caddy sends traffic to green']],
    },
    {
      name: 'Caddy back on the plain names',
      input: { live: plain },
      entries: [['plain', null, 'the state file says blue is active, but Caddy sends traffic to the plain Compose names']],
    },
    { name: 'a split without a recorded canary', input: { live: mixed }, entries: [['mixed', null, 'Caddy splits traffic (web → blue + green) but the state file records no canary']] },
    { name: 'a split with no active color recorded is still drift', input: { live: mixed, active: null }, entries: [['mixed', null, 'Caddy splits traffic (web → blue + green) but the state file records no canary']] },
    { name: 'a split that a recorded canary explains: none', input: { live: mixed, canaryRecorded: true }, entries: [] },
    { name: 'no active color recorded: nothing to compare', input: { active: null, live: green }, entries: [] },
    {
      name: 'the color agrees, a dial does not',
      input: { services: [{ service: 'web', dials: ['web-blue:3001'] }] },
      entries: [['targets', 'web', 'web: Caddy dials web-blue:3001, but cutover pointed it at web-blue:3000 (blue)']],
    },
    {
      name: 'a handler left without upstreams',
      input: { services: [{ service: 'web', dials: [] }] },
      entries: [['targets', 'web', 'web: Caddy dials nothing, but cutover pointed it at web-blue:3000 (blue)']],
    },
    { name: 'no dials recorded for the service: not compared', input: { services: [{ service: 'web', dials: ['x:1'] }], targets: {} }, entries: [] },
    {
      name: 'dials recorded for another Caddy: not compared, reported apart',
      input: { services: [{ service: 'web', dials: ['x:1'] }], targets: { web: { caddyAdmin: 'http://127.0.0.1:2020', blue: ['web-blue:3000'], green: [] } } },
      entries: [],
      otherCaddy: ['web http://127.0.0.1:2020'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const found = findDrift(driftInput(c.input));
      assert.deepEqual(found.entries.map((e) => [e.kind, e.service, e.message]), c.entries);
      assert.deepEqual(found.otherCaddy.map((o) => `${o.service} ${o.caddyAdmin}`), c.otherCaddy ?? []);
    });
  }

  test("an entry says both sides in words, for status's table", () => {
    const [entry] = findDrift(driftInput({ live: green })).entries;
    assert.deepEqual([entry?.state, entry?.caddy], ['blue (v2) is active', 'every service → green']);
  });
});

describe('trafficDrifts: the live color contradicts the record', () => {
  const cases: Array<[string, { color: 'blue' | 'green' } | null, LiveTraffic, boolean, boolean]> = [
    ['on the recorded color', { color: 'blue' }, blue, false, false],
    ['on the other color', { color: 'blue' }, green, false, true],
    ['on plain names', { color: 'blue' }, plain, false, true],
    ['split, no canary', { color: 'blue' }, mixed, false, true],
    ['split by a recorded canary', { color: 'blue' }, mixed, true, false],
    ['nothing recorded', null, green, false, false],
  ];
  for (const [name, active, live, canary, drifts] of cases) test(`${name}: ${drifts}`, () => assert.equal(trafficDrifts(active, live, canary), drifts));
});

describe('driftCause', () => {
  test("preview routes still there: someone changed Caddy's config through the admin API", () => assert.equal(driftCause(true), 'outside-change'));
  test('preview routes gone: Caddy loaded its own config again', () => assert.equal(driftCause(false), 'caddy-reloaded'));
});
