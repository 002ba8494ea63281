import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readRoundtrips } from '../../../src/domain/read-roundtrips.js';
import { fixtureLines } from './caddy-log-fixture.js';

const text = fixtureLines('roundtrip-2.6.2.log')
  .map((line) => `${line}\n`)
  .join('');

describe('readRoundtrips', () => {
  test('the whole captured log: 9 round trips, nothing unparseable, nothing left', () => {
    const batch = readRoundtrips(text);
    assert.equal(batch.roundtrips.length, 9);
    assert.deepEqual([batch.unparseable, batch.firstUnparseable, batch.rest], [0, undefined, '']);
  });

  for (const pieces of [2, 3, 7, 50]) {
    test(`read in ${pieces} pieces cut anywhere, it gives the same round trips`, () => {
      const cuts = Array.from({ length: pieces - 1 }, (_, i) => Math.floor(((i + 1) * text.length) / pieces));
      let rest = '';
      const roundtrips = [];
      let unparseable = 0;
      for (const [i, from] of [0, ...cuts].entries()) {
        const batch = readRoundtrips(rest + text.slice(from, cuts[i] ?? text.length));
        roundtrips.push(...batch.roundtrips);
        unparseable += batch.unparseable;
        rest = batch.rest;
      }
      assert.deepEqual(roundtrips, readRoundtrips(text).roundtrips);
      assert.deepEqual([unparseable, rest], [0, '']);
    });
  }

  test('a piece without a newline is all rest', () => {
    assert.deepEqual(readRoundtrips('{"level":"de'), { roundtrips: [], unparseable: 0, firstUnparseable: undefined, rest: '{"level":"de' });
  });

  test('garbage lines are counted with the first reason, and do not stop the others', () => {
    const batch = readRoundtrips(`oops\n${text}{"logger":"http.handlers.reverse_proxy","msg":"upstream roundtrip"}\n`);
    assert.equal(batch.roundtrips.length, 9);
    assert.deepEqual([batch.unparseable, batch.firstUnparseable], [2, 'not JSON']);
  });
});
