import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAnalysisCommand } from '../../../src/domain/parse-analysis-command.js';
import { UsageError } from '../../../src/errors.js';

describe('parseAnalysisCommand', () => {
  test('no command: nothing to run', () => {
    assert.equal(parseAnalysisCommand(undefined, undefined), undefined);
  });
  test('splits like a Compose command, no shell, default timeout 30s', () => {
    assert.deepEqual(parseAnalysisCommand(`sh -c 'curl -fs "$URL" | grep ok'`, undefined), { argv: ['sh', '-c', 'curl -fs "$URL" | grep ok'], timeoutMs: 30_000 });
    assert.deepEqual(parseAnalysisCommand('./smoke.sh --fast', '2s'), { argv: ['./smoke.sh', '--fast'], timeoutMs: 2_000 });
  });
  const refusals: Array<[string | undefined, string | undefined, RegExp]> = [
    ['', undefined, /--analysis-cmd is empty/],
    ['   ', undefined, /--analysis-cmd is empty/],
    ['""', undefined, /--analysis-cmd is empty/],
    ['sh -c "echo', undefined, /quote that is not closed/],
    ['true', 'soon', /--analysis-cmd-timeout soon is not a duration/],
    ['true', '10ms', /from 100ms to 1h/],
    ['true', '2h', /from 100ms to 1h/],
    [undefined, '5s', /--analysis-cmd-timeout applies only with --analysis-cmd/],
  ];
  for (const [command, timeout, message] of refusals) {
    test(`refuses ${JSON.stringify(command)} / ${JSON.stringify(timeout)} with a usage error (exit 2)`, () => {
      assert.throws(
        () => parseAnalysisCommand(command, timeout),
        (error: unknown) => error instanceof UsageError && error.exitCode === 2 && message.test(error.message) && !error.message.includes('\n'),
      );
    });
  }
});
