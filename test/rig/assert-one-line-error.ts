import assert from 'node:assert/strict';
import type { CliRun } from './run-cli.js';

/**
 * A refusal as the user sees it: exit `code`, one line starting with `error:`
 * that matches `pattern`, maybe followed by one `hint:` line and nothing after
 * it (progress lines may come before), and nothing on stdout. The refusal is
 * printed to the test's output, so a run shows every message it checked.
 */
export function assertOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  const at = lines.findIndex((line) => line.startsWith('error: '));
  assert.ok(at >= 0, `no error line: ${run.stderr}`);
  assert.equal(lines.filter((line) => line.startsWith('error: ')).length, 1, run.stderr);
  assert.match(lines[at] ?? '', pattern);
  console.log(`refused (exit ${run.code}): ${lines.slice(at).join(' | ')}`);
  const rest = lines.slice(at + 1);
  assert.ok(rest.length <= 1 && (rest[0] === undefined || rest[0].startsWith('hint: ')), `more than an error and a hint: ${run.stderr}`);
  assert.equal(run.stdout, '');
}
