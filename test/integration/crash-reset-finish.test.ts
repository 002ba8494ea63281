/**
 * `cutover reset` killed (SIGKILL) after its switch on real Docker and Caddy
 * 2.6.2, then `reconcile`: killed while removing the colors, or right after
 * Caddy acknowledged its switch, it is finished (drained, every colored
 * container removed, the preview routes dropped, plain mode recorded).
 * crash-reset.test.ts has the kills before the switch.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { caddyDials as caddyDialsOf } from '../rig/caddy-dials.js';
import { killAtMarker } from '../rig/cli-until.js';
import { httpGet } from '../rig/http-get.js';
import { assertLastReset } from '../rig/assert-last-reset.js';
import { faultProjectFixture } from '../rig/fault-project-fixture.js';

const { h, project } = faultProjectFixture('crash-reset-fin', { versions: ['v1', 'v2', 'v3'], project: { plainPorts: true, drainTimeout: '10' } });

describe('a reset killed at each phase is settled by the next command', { concurrency: false }, () => {
  const caddyDials = () => caddyDialsOf(project().caddy.adminAddress);

  /** Plain mode: only the plain containers, running, answering through Caddy by its plain ports, nothing recorded or open, status clean. */
  async function assertPlainMode(version: string, context: string): Promise<void> {
    const all = await h.containers();
    assert.deepEqual(
      all.map((c) => [c.color, c.version, c.state]),
      project().services.map(() => [undefined, version, 'running']),
      `${context}: only the plain containers are left: ${JSON.stringify(all)}`,
    );
    for (const url of [project().caddy.url('/version'), project().caddy.url('/api/version')]) {
      const answer = await httpGet(url);
      assert.deepEqual([answer.status, answer.body], [200, version], `${context}: ${url}`);
    }
    const plain = project().services.map((s) => `127.0.0.1:${project().plainPorts[s]}`).sort();
    assert.deepEqual(await caddyDials(), { dials: plain, previews: false }, `${context}: Caddy uses the plain ports, no preview route is left`);
    const recorded = await h.state();
    assert.deepEqual([recorded.active, recorded.standby, recorded.operation], [null, null, null], `${context}: no color recorded, nothing open`);
    await assert.rejects(readFile(path.join(project().dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' }, `${context}: the lock is released`);
    const status = await h.cli(['status', '--json']);
    assert.equal(status.code, 0, `${context}: ${status.stdout}\n${status.stderr}`);
  }

  test('killed while removing the colors; then reconcile removes the rest: plain mode', async () => {
    await killAtMarker(project(), ['reset', '--yes'], /"event":"reset\.removing"/);
    assert.equal(((await h.state()).operation as { phase: string } | null)?.phase, 'removing');
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v2 .*finishing it first/);
    await assertPlainMode('v2', 'reset killed while removing');
    await assertLastReset(h.state, 'removing', ['succeeded', 'finished', 'removing']);
  });

  test('from plain mode a deploy; a reset killed right after Caddy acknowledged its switch; then reconcile finishes it: plain mode', async () => {
    const deploy = await h.cli(['deploy', 'v3']);
    assert.equal(deploy.code, 0, deploy.stderr);
    await killAtMarker(project(), ['reset', '--yes'], /"event":"switch\.acknowledged"/);
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v3 .*finishing it first/);
    await assertPlainMode('v3', 'reset killed after its switch');
    await assertLastReset(h.state, 'after its switch', ['succeeded', 'finished', 'switching']);
  });
});
