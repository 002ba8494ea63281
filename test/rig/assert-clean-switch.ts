import assert from 'node:assert/strict';
import type { LogRecord } from './recording-logger.js';
import { summarizeLoad, type LoadRun, type LoadSample } from './load-client.js';
import { sleep } from '../../src/sleep.js';

/** Keeps a load going until `count` more requests have finished, then stops it: enough requests after the switch to judge it. */
export async function stopLoadAfter(load: LoadRun, count: number): Promise<LoadSample[]> {
  const target = load.samples.length + count;
  while (load.samples.length < target && !load.ended) await sleep(20);
  const samples = await load.stop();
  if (samples.length < target) throw new Error(`the load ran out of its time limit (maxDurationMs) ${target - samples.length} requests short of the ${count} wanted after the operation: give it a longer limit`);
  return samples;
}

/**
 * New connections reset by a Caddy reload, allowed in one load run: the old
 * listener's queue is reset in a window of about half a millisecond per
 * reload, so a test's few reloads at its rate of new connections expect
 * well under one. More than this is not that cost but a fault.
 */
export const MAX_FRESH_RESETS = 3;

/** No failed request, and new connections reset at a reload counted apart and bounded. */
export function assertNoFailure(summary: ReturnType<typeof summarizeLoad>, context: string): void {
  assert.equal(summary.failed, 0, `${context}failed requests: ${summary.errors.join(' | ')}`);
  assert.ok(summary.freshResets <= MAX_FRESH_RESETS, `${context}${summary.freshResets} new connections reset, more than the ${MAX_FRESH_RESETS} a few reloads can explain`);
}

/**
 * What a zero-downtime switch promises, checked on a load's samples: no failed
 * request (resets retried once, and new connections reset at a reload, are counted, not failures), enough load to
 * mean something, and every request started after Caddy acknowledged the
 * switch answered by `version`. Returns the summary and the acknowledgement.
 */
export function assertCleanSwitch(samples: readonly LoadSample[], events: (name: string) => LogRecord[], version: string, logText: string): { summary: ReturnType<typeof summarizeLoad>; ack: LogRecord } {
  const summary = summarizeLoad(samples);
  assertNoFailure(summary, '');
  assert.ok(summary.requests > 100, `too little load to mean anything: ${summary.requests}`);
  const ack = events('switch.acknowledged')[0];
  assert.ok(ack !== undefined, `the switch was acknowledged:\n${logText}`);
  const after = samples.filter((s) => s.kind !== 'post' && s.startedAt > ack.time + 5);
  assert.ok(after.length > 20, `few requests after the switch: ${after.length}`);
  assert.deepEqual([...new Set(after.map((s) => s.version))], [version], `every request started after the switch is answered by ${version}`);
  return { summary, ack };
}
