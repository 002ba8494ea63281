import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sleep } from '../../src/sleep.js';

class Interrupted extends Error {}

describe('sleep', () => {
  test('resolves after the time has passed', async () => {
    const started = performance.now();
    await sleep(30);
    assert.ok(performance.now() - started >= 25, `resolved after ${performance.now() - started} ms`);
  });

  test('an abort during the wait rejects at once with the signal reason', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const waiting = sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(new Interrupted('interrupted by SIGINT')), 10);
    await assert.rejects(waiting, (error: unknown) => error instanceof Interrupted && error.message === 'interrupted by SIGINT');
    assert.ok(performance.now() - started < 5_000, 'the abort did not end the wait');
  });

  test('a signal aborted before the call rejects without waiting', async () => {
    const reason = new Interrupted('already');
    const started = performance.now();
    await assert.rejects(sleep(60_000, AbortSignal.abort(reason)), (error: unknown) => error === reason);
    assert.ok(performance.now() - started < 5_000);
  });

  test('a signal that never aborts lets the wait end normally', async () => {
    await sleep(5, new AbortController().signal);
  });
});
