/**
 * `cutover reset` killed (SIGKILL) in each of its phases on real Docker and
 * Caddy 2.6.2, the moment read from its JSON log (or held there by the test
 * seam CUTOVER_TEST_HANG_AFTER_PHASE), then the next command runs:
 * - killed while starting the plain services, or right before its switch:
 *   undone (the plain containers it started removed, the colors as they were);
 * - killed right after Caddy acknowledged its switch, or while removing the
 *   colors: finished (drained, every colored container removed, the preview
 *   routes dropped, plain mode recorded).
 * reset.test.ts covers the kills in waiting-healthy and draining.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isJsonObject, type JsonValue } from '../../src/domain/caddy-json.js';
import { hasPreviewRoutes } from '../../src/domain/rewrite-caddy-config.js';
import { killAtMarker } from '../rig/cli-until.js';
import { crashHarness } from '../rig/crash-harness.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { setProjectEnv, useLightHealthcheck } from '../rig/project-env.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('crash-reset');
const docker = rigDockerClient();

before(async () => {
  await Promise.all(['v1', 'v2', 'v3'].map((v) => buildTestImage(docker, scope, v)));
});
after(async () => {
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

describe('a reset killed at each phase is settled by the next command', { concurrency: false }, () => {
  let project: HostModeProject;
  const h = crashHarness(docker, () => project);
  const hang = (phase: string): [RegExp, Record<string, string>] => [new RegExp(`hanging after the journal recorded phase ${phase}`), { CUTOVER_TEST_HANG_AFTER_PHASE: phase }];

  /** Every upstream dial in Caddy's live config, and whether cutover's preview routes are there. */
  async function caddyDials(): Promise<{ dials: string[]; previews: boolean }> {
    const config = (await (await fetch(`${project.caddy.adminAddress}/config/`)).json()) as JsonValue;
    const dials = new Set<string>();
    const walk = (value: JsonValue): void => {
      if (Array.isArray(value)) for (const v of value) walk(v);
      else if (isJsonObject(value)) {
        if (typeof value.dial === 'string') dials.add(value.dial);
        for (const v of Object.values(value)) walk(v);
      }
    };
    walk(config);
    return { dials: [...dials].sort(), previews: hasPreviewRoutes(config) };
  }

  /** The reset's history entry, as the last one. */
  async function lastReset(context: string, expected: [string, string, string]): Promise<void> {
    const entry = (await h.state()).history.at(-1);
    assert.deepEqual([entry?.kind, entry?.outcome, entry?.recovered?.direction, entry?.recovered?.phase], ['reset', ...expected], `${context}: ${JSON.stringify(entry)}`);
  }

  /** Plain mode: only the plain containers, running, answering through Caddy by its plain ports, nothing recorded or open, status clean. */
  async function assertPlainMode(version: string, context: string): Promise<void> {
    const all = await h.containers();
    assert.deepEqual(
      all.map((c) => [c.color, c.version, c.state]),
      project.services.map(() => [undefined, version, 'running']),
      `${context}: only the plain containers are left: ${JSON.stringify(all)}`,
    );
    for (const url of [project.caddy.url('/version'), project.caddy.url('/api/version')]) {
      const answer = await httpGet(url);
      assert.deepEqual([answer.status, answer.body], [200, version], `${context}: ${url}`);
    }
    const plain = project.services.map((s) => `127.0.0.1:${project.plainPorts[s]}`).sort();
    assert.deepEqual(await caddyDials(), { dials: plain, previews: false }, `${context}: Caddy uses the plain ports, no preview route is left`);
    const recorded = await h.state();
    assert.deepEqual([recorded.active, recorded.standby, recorded.operation], [null, null, null], `${context}: no color recorded, nothing open`);
    await assert.rejects(readFile(path.join(project.dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' }, `${context}: the lock is released`);
    const status = await h.cli(['status', '--json']);
    assert.equal(status.code, 0, `${context}: ${status.stdout}\n${status.stderr}`);
  }

  before(async () => {
    project = await createHostModeProject(docker, scope, { plainPorts: true, drainTimeout: '10' });
    // A busy shared machine can take a minute to make a container healthy: the faults, not the load, must decide.
    await setProjectEnv(project.dir, 'HEALTH_CHECK_TIMEOUT', '180');
    await useLightHealthcheck(project.dir);
    for (const version of ['v1', 'v2']) {
      const run = await h.cli(['deploy', version]);
      assert.equal(run.code, 0, run.stderr);
    }
  });
  after(async () => {
    await project?.remove();
  });

  test('killed while starting the plain services; then reconcile removes them, the colors as they were', async () => {
    const before = await h.state();
    await killAtMarker(project, ['reset', '--yes'], /"event":"container\.started"/);
    assert.notEqual((await h.state()).operation, null, 'the kill left the reset open in the journal');
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v2 .*undoing it first/);
    const settled = await h.assertSettled('reset killed while starting');
    assert.deepEqual([settled.active, settled.standby], [before.active, before.standby]);
    await lastReset('starting', ['interrupted', 'undone', 'starting']);
  });

  test('killed right before its switch is sent; then rollback undoes it and rolls back', async () => {
    const before = await h.state();
    await killAtMarker(project, ['reset', '--yes'], ...hang('switching'));
    assert.equal(((await h.state()).operation as { phase: string } | null)?.phase, 'switching');
    const run = await h.cli(['rollback']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v2 .*undoing it first/);
    const settled = await h.assertSettled('reset killed before its switch');
    const pair = (s: { active: { color: string; version: string } | null; standby: { color: string; version: string } | null }) => [s.active && { color: s.active.color, version: s.active.version }, s.standby && { color: s.standby.color, version: s.standby.version }];
    assert.deepEqual(pair(settled), pair(before).reverse(), 'undone, then rolled back');
    const entry = [...settled.history].reverse().find((e) => e.kind === 'reset');
    assert.deepEqual([entry?.outcome, entry?.recovered?.direction, entry?.recovered?.phase, entry?.recovered?.by], ['interrupted', 'undone', 'switching', 'rollback']);
  });

  test('killed right after Caddy acknowledged its switch; then reconcile finishes it: plain mode', async () => {
    await killAtMarker(project, ['reset', '--yes'], /"event":"switch\.acknowledged"/);
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v1 .*finishing it first/);
    await assertPlainMode('v1', 'reset killed after its switch');
    await lastReset('after its switch', ['succeeded', 'finished', 'switching']);
  });

  test('killed while removing the colors; then reconcile removes the rest: plain mode', async () => {
    for (const version of ['v2', 'v3']) {
      const run = await h.cli(['deploy', version]);
      assert.equal(run.code, 0, run.stderr);
    }
    await killAtMarker(project, ['reset', '--yes'], /"event":"reset\.removing"/);
    assert.equal(((await h.state()).operation as { phase: string } | null)?.phase, 'removing');
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v3 .*finishing it first/);
    await assertPlainMode('v3', 'reset killed while removing');
    await lastReset('removing', ['succeeded', 'finished', 'removing']);
  });
});
