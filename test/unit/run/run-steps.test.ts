/**
 * runSteps: steps run in order with their phase recorded first; on a failure
 * or an abort the finished steps are undone newest first and the original
 * error is rethrown; an undo that fails is reported as RollbackFailedError,
 * never swallowed, and the other undos still run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RollbackFailedError } from '../../../src/errors.js';
import { runSteps, type Step } from '../../../src/run/run-steps.js';
import { recordingLogger } from '../../rig/recording-logger.js';

/** Steps named a, b, c...: each records its run and undo in `trail`; `fail` names a run or an undo that throws. */
function steps(names: string[], trail: string[], fail: { run?: string; undo?: string } = {}, withoutUndo: string[] = []): Step[] {
  return names.map((name) => ({
    phase: `phase-${name}`,
    title: `step ${name}`,
    run: async () => {
      trail.push(`run ${name}`);
      if (fail.run === name) throw new Error(`${name} broke`);
    },
    undo: withoutUndo.includes(name)
      ? undefined
      : async () => {
          trail.push(`undo ${name}`);
          if (fail.undo === name) throw new Error(`undo of ${name} broke`);
        },
  }));
}

async function run(list: Step[], trail: string[], signal = new AbortController().signal) {
  const log = recordingLogger();
  const onPhase = async (phase: string): Promise<void> => void trail.push(`phase ${phase}`);
  const beforeUndo = (error: unknown): void => void trail.push(`before undo: ${error instanceof Error ? error.message : String(error)}`);
  const outcome = await runSteps(list, { logger: log.logger, signal, onPhase, beforeUndo }).then(
    (timings) => ({ ok: true as const, timings }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { outcome, log };
}

describe('runSteps', () => {
  const cases: Array<{ name: string; fail: { run?: string; undo?: string }; withoutUndo?: string[]; trail: string[]; error: RegExp | null }> = [
    {
      name: 'all succeed: in order, each phase recorded before its step',
      fail: {},
      trail: ['phase phase-a', 'run a', 'phase phase-b', 'run b', 'phase phase-c', 'run c'],
      error: null,
    },
    {
      name: 'the third fails: the first two are undone newest first, the failed one is not',
      fail: { run: 'c' },
      trail: ['phase phase-a', 'run a', 'phase phase-b', 'run b', 'phase phase-c', 'run c', 'before undo: c broke', 'undo b', 'undo a'],
      error: /^c broke$/,
    },
    {
      name: 'a step without undo is passed over',
      fail: { run: 'c' },
      withoutUndo: ['b'],
      trail: ['phase phase-a', 'run a', 'phase phase-b', 'run b', 'phase phase-c', 'run c', 'before undo: c broke', 'undo a'],
      error: /^c broke$/,
    },
    {
      name: 'the first fails: nothing to undo',
      fail: { run: 'a' },
      trail: ['phase phase-a', 'run a', 'before undo: a broke'],
      error: /^a broke$/,
    },
    {
      name: 'an undo fails: the next undo still runs, and both failures are named',
      fail: { run: 'c', undo: 'b' },
      trail: ['phase phase-a', 'run a', 'phase phase-b', 'run b', 'phase phase-c', 'run c', 'before undo: c broke', 'undo b', 'undo a'],
      error: /^c broke; then undoing failed: step b: undo of b broke$/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const trail: string[] = [];
      const { outcome, log } = await run(steps(['a', 'b', 'c'], trail, c.fail, c.withoutUndo), trail);
      assert.deepEqual(trail, c.trail);
      if (c.error === null) {
        assert.ok(outcome.ok);
        assert.deepEqual(outcome.timings.map((t) => t.phase), ['phase-a', 'phase-b', 'phase-c']);
        assert.ok(outcome.timings.every((t) => Number.isInteger(t.ms) && t.ms >= 0));
        assert.deepEqual(log.events('phase.done').map((r) => r.phase), ['phase-a', 'phase-b', 'phase-c']);
        return;
      }
      assert.ok(!outcome.ok);
      assert.match((outcome.error as Error).message, c.error);
      const undoFailed = c.fail.undo !== undefined;
      assert.equal(outcome.error instanceof RollbackFailedError, undoFailed);
      if (undoFailed) {
        assert.equal((outcome.error as RollbackFailedError).exitCode, 12);
        assert.match((outcome.error as Error & { cause: Error }).cause.message, /^c broke$/);
        assert.deepEqual(log.events('phase.undo.failed').map((r) => r.phase), ['phase-b']);
      }
    });
  }

  test('an abort before a step: it never starts, the finished ones are undone, the reason is thrown', async () => {
    const trail: string[] = [];
    const controller = new AbortController();
    const list = steps(['a', 'b'], trail);
    const reason = new Error('interrupted by SIGINT');
    list[0] = {
      ...list[0]!,
      run: async () => {
        trail.push('run a');
        controller.abort(reason);
      },
    };
    const { outcome } = await run(list, trail, controller.signal);
    assert.deepEqual(trail, ['phase phase-a', 'run a', 'before undo: interrupted by SIGINT', 'undo a']);
    assert.ok(!outcome.ok);
    assert.equal(outcome.error, reason);
  });

  test('a step gets the signal, so it can stop itself when aborted', async () => {
    const trail: string[] = [];
    const controller = new AbortController();
    const waiting: Step = {
      phase: 'waiting-healthy',
      title: 'wait',
      run: (signal) =>
        new Promise<void>((_, reject) => {
          trail.push('waiting');
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          controller.abort(new Error('stop'));
        }),
    };
    const { outcome } = await run([...steps(['a'], trail), waiting], trail, controller.signal);
    assert.deepEqual(trail, ['phase phase-a', 'run a', 'phase waiting-healthy', 'waiting', 'before undo: stop', 'undo a']);
    assert.ok(!outcome.ok);
    assert.match((outcome.error as Error).message, /^stop$/);
  });
});
