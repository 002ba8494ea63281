import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reportBrokenCanary } from '../../../scripts/demo/broken-canary-report.js';
import type { CliEvent, CliRun } from '../../../scripts/demo/run-cli.js';
import type { RouteSample } from '../../../scripts/demo/route-load.js';
import type { LoadSample } from '../../../test/rig/load-client.js';

const T0 = 1_000_000;
const event = (name: string, at: number, extra: Record<string, unknown> = {}): CliEvent => ({ event: name, at, level: 30, msg: name, ...extra });
const run = (code: number, events: CliEvent[]): CliRun => ({ command: 'node dist/cli.js deploy v3 --canary 10,50', code, startedAt: T0 - 5_000, endedAt: T0 + 10_000, events });
const get = (startedAt: number, version: string | undefined, error?: string): LoadSample => ({
  kind: 'get',
  connection: 'keep-alive',
  startedAt,
  endedAt: startedAt + 5,
  status: error === undefined ? 200 : 500,
  version,
  error,
  resets: 0,
  freshReset: false,
});
const route = (startedAt: number, version: string, error?: string): RouteSample => ({ route: '/version', startedAt, status: error === undefined ? 200 : 500, version, port: 3000, error, resets: 0 });
const versions = { broken: 'v3', live: 'v1', stepIntervalMs: 15_000 };
const caughtAtFirstStep = [event('canary.step', T0, { weight: 10, step: 1 }), event('canary.analysis', T0 + 1_500, { ok: false }), event('canary.reverted', T0 + 1_800)];

describe('reportBrokenCanary', () => {
  test('caught at the first step, nothing wrong after the revert: no fault, the times from the first step', () => {
    const load = [get(T0 - 100, 'v1'), get(T0 + 200, 'v3'), get(T0 + 300, undefined, 'HTTP 500'), get(T0 + 2_000, 'v1')];
    const routes = [route(T0 + 400, 'v3', 'HTTP 500'), route(T0 + 2_100, 'v1')];
    const report = reportBrokenCanary(run(14, caughtAtFirstStep), load, routes, versions);
    assert.deepEqual(report.faults, []);
    assert.match(report.lines.join('\n'), /analysis failed 1\.5 s after the first step went live; all traffic back on v1 1\.8 s after it/);
    assert.match(report.lines.join('\n'), /3 requests .* 2 answered by v3, 2 failed/);
    assert.match(report.lines.join('\n'), /after it: +2 requests, 0 failed, 0 answered by v3/);
  });

  test('a canary that reached its second step, or did not exit 14, is a fault', () => {
    const events = [event('canary.step', T0, { weight: 10 }), event('canary.step', T0 + 15_000, { weight: 50 }), event('canary.analysis', T0 + 16_000, { ok: false }), event('canary.reverted', T0 + 16_500)];
    const report = reportBrokenCanary(run(0, events), [], [], versions);
    assert.equal(report.faults.length, 2, report.faults.join('; '));
    assert.match(report.faults.join('\n'), /exited with 0, not 14/);
    assert.match(report.faults.join('\n'), /reached step 2/);
  });

  test('a failure or a v3 answer after the revert is a fault', () => {
    const report = reportBrokenCanary(run(14, caughtAtFirstStep), [get(T0 + 2_000, undefined, 'HTTP 502')], [route(T0 + 2_500, 'v3')], versions);
    assert.deepEqual(report.faults, ['1 request(s) started after the revert FAILED', '1 request(s) started after the revert were answered by v3']);
  });

  test('no step went live, or no revert: a fault', () => {
    assert.deepEqual(reportBrokenCanary(run(14, []), [], [], versions).faults, ['no canary step went live']);
    const noRevert = reportBrokenCanary(run(14, [event('canary.step', T0, { weight: 10 })]), [], [], versions);
    assert.match(noRevert.faults.join('\n'), /never sent back/);
  });
});
