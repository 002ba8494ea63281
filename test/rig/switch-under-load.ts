import assert from 'node:assert/strict';
import { sleep } from '../../src/sleep.js';
import { assertCleanSwitch, stopLoadAfter } from './assert-clean-switch.js';
import type { LoadRun, LoadSample, summarizeLoad } from './load-client.js';
import type { LogRecord, recordingLogger } from './recording-logger.js';

/** What an operation run by a test gives back: its error, if any, and the log it wrote. */
export interface LoggedOutcome {
  error?: unknown;
  log: ReturnType<typeof recordingLogger>;
}

export interface SwitchUnderLoad<T> {
  outcome: T;
  /** How long the operation took. */
  ms: number;
  samples: LoadSample[];
  summary: ReturnType<typeof summarizeLoad>;
  /** Caddy's acknowledgement of the switch. */
  ack: LogRecord;
  /** The end of the draining phase. */
  drain: LogRecord;
}

/**
 * A switch under load, checked as zero downtime promises it: once two slow
 * requests have finished (the load is steady and slow requests are in flight
 * to the old color), runs `operate`; keeps the load going until 50 more
 * requests have finished, so requests after the switch are plenty; then
 * asserts that the operation succeeded, that the switch was clean
 * (assertCleanSwitch: no failed request, `version` after Caddy acknowledged
 * it) and that the old color was drained. The load is stopped in every case.
 */
export async function switchUnderLoad<T extends LoggedOutcome>(load: LoadRun, version: string, operate: () => Promise<T>): Promise<SwitchUnderLoad<T>> {
  let outcome: T;
  let ms: number;
  try {
    while (load.samples.filter((s) => s.kind === 'slow').length < 2) {
      if (load.ended) throw new Error('the load ran out of its time limit before two slow requests finished');
      await sleep(50);
    }
    const started = Date.now();
    outcome = await operate();
    ms = Date.now() - started;
  } catch (error) {
    await load.stop();
    throw error;
  }
  const samples = await stopLoadAfter(load, 50);
  const { log } = outcome;
  assert.equal(outcome.error, undefined, `${String(outcome.error)}\n${log.text()}`);
  const { summary, ack } = assertCleanSwitch(samples, log.events, version, log.text());
  console.log(`load during the switch to ${version}: ${JSON.stringify(summary)}; the operation took ${ms} ms`);
  const drain = log.events('phase.done').find((r) => r.phase === 'draining');
  assert.ok(drain !== undefined, `the old color was drained:\n${log.text()}`);
  return { outcome, ms, samples, summary, ack, drain };
}
