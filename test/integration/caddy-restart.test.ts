/**
 * A Caddy that restarts from its Caddyfile forgets cutover's switches. Wired
 * to caddy/cutover-upstreams.caddy it comes back on the switched color by
 * itself (also after cutover was killed right after a switch); not wired, the
 * next command notices (the preview routes are gone) and puts the recorded
 * color back first, and status names cutover reconcile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rigDockerClient } from '../rig/docker-client.js';
import { crashHarness } from '../rig/crash-harness.js';
import { createHostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scopes = [testScope('restart-plain'), testScope('restart-wired')];
const docker = rigDockerClient();

before(async () => {
  for (const scope of scopes) for (const version of ['v1', 'v2', 'v3']) await buildTestImage(docker, scope, version);
});
after(async () => {
  for (const scope of scopes) assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

describe('a Caddy that restarts from its Caddyfile', { concurrency: false }, () => {
  test('not wired to the snippets: status names it, the next command puts the recorded color back first', async () => {
    const project = await createHostModeProject(docker, scopes[0] as (typeof scopes)[number]);
    const h = crashHarness(docker, () => project);
    try {
      // v1 on green, v2 on blue, v3 on green: the Caddyfile's blue ports now reach the standby, v2.
      for (const version of ['v1', 'v2', 'v3']) assert.equal((await h.cli(['deploy', version])).code, 0);
      const recorded = await h.state();
      assert.deepEqual([recorded.active?.color, recorded.active?.version], ['green', 'v3']);
      await project.caddy.restart();
      assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2', 'the restart silently went back to the old version');
      const status = await h.cli(['status', '--json']);
      assert.equal(status.code, 13, status.stdout);
      assert.match(status.stdout, /Caddy went back to its own config/);
      assert.match(status.stdout, /cutover reconcile/);
      const dry = await h.cli(['reconcile', '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /^would make Caddy send every service to/);
      // rollback means "back to the version before the recorded one": it first puts the recorded v3 back, then goes to v2.
      const rollback = await h.cli(['rollback']);
      assert.equal(rollback.code, 0, rollback.stderr);
      assert.match(rollback.stderr, /pointing it back at green \(v3\) first/);
      const settled = await h.assertSettled('restart, then rollback');
      assert.deepEqual([settled.active?.version, settled.standby?.version], ['v2', 'v3']);
    } finally {
      await project.remove();
    }
  });

  test('wired to the snippets: a restart after a switch comes back on the switched color, also after a kill', async () => {
    const project = await createHostModeProject(docker, scopes[1] as (typeof scopes)[number], { wired: true });
    const h = crashHarness(docker, () => project);
    try {
      for (const version of ['v1', 'v2']) assert.equal((await h.cli(['deploy', version])).code, 0);
      await project.caddy.restart();
      assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2', 'the restarted Caddy serves the switched color at once');
      // A kill right after the switch, then a restart before anyone runs cutover: still on the new color.
      await h.killAt(['deploy', 'v3'], /"event":"switch.acknowledged"/);
      await project.caddy.restart();
      assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v3');
      const run = await h.cli(['rollback']);
      assert.equal(run.code, 0, run.stderr);
      const settled = await h.assertSettled('wired restart after a kill, then rollback');
      assert.equal(settled.active?.version, 'v2');
      await project.caddy.restart();
      assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2', 'the rollback rewrote the snippets too');
    } finally {
      await project.remove();
    }
  });
});
