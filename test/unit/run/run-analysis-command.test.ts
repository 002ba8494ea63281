import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { findExecutable } from '../../../src/run/find-executable.js';
import { runAnalysisCommand } from '../../../src/run/run-analysis-command.js';

const options = { cwd: os.tmpdir(), env: { CUTOVER_STEP: '2' }, timeoutMs: 5_000, signal: new AbortController().signal };

describe('runAnalysisCommand (real processes)', () => {
  test('exit 0 passes; the environment is passed; the last lines are kept', async () => {
    const run = await runAnalysisCommand(['sh', '-c', 'echo one; echo "step $CUTOVER_STEP" >&2'], options);
    assert.deepEqual([run.ok, run.reason, run.tail], [true, undefined, ['one', 'step 2']]);
  });
  test('a non-zero exit fails, naming the code and the last line of output', async () => {
    const run = await runAnalysisCommand(['sh', '-c', 'echo "p99 too high"; exit 3'], options);
    assert.equal(run.ok, false);
    assert.equal(run.reason, 'analysis command sh failed with exit code 3: p99 too high');
  });
  test('no shell: shell syntax is handed to the program as words', async () => {
    const run = await runAnalysisCommand(['echo', '$CUTOVER_STEP', '|', 'false'], options);
    assert.deepEqual([run.ok, run.tail], [true, ['$CUTOVER_STEP | false']]);
  });
  test('a program that is not there fails with one line', async () => {
    const run = await runAnalysisCommand(['cutover-no-such-program-7'], options);
    assert.equal(run.ok, false);
    assert.equal(run.reason, 'analysis command cutover-no-such-program-7 could not be started: not found');
  });
  test('a run past its timeout is killed and fails', async () => {
    const started = Date.now();
    const run = await runAnalysisCommand(['sleep', '30'], { ...options, timeoutMs: 300 });
    assert.equal(run.ok, false);
    assert.match(run.reason ?? '', /^analysis command sleep did not finish within 300 ms \(killed/);
    assert.ok(Date.now() - started < 10_000, 'killed, not waited for');
  });
});

describe('findExecutable', () => {
  test('finds programs on PATH and paths relative to the directory; not plain files or missing names', () => {
    assert.ok(findExecutable('sh', os.tmpdir()) !== undefined);
    assert.equal(findExecutable('cutover-no-such-program-7', os.tmpdir()), undefined);
    assert.equal(findExecutable('./passwd', '/etc'), undefined, 'not executable');
    assert.equal(findExecutable('sh', '/', ''), undefined, 'empty PATH');
    assert.ok(findExecutable('bin/sh', '/') !== undefined);
  });
});
