/**
 * The Docker API unreachable during a deploy's health wait, on the real
 * engine and Caddy 2.6.2, without touching dockerd (others use it): cutover
 * talks to the engine through a proxy on a unix socket
 * (test/rig/docker-fault-proxy.ts, DOCKER_HOST=unix://...) that cuts every
 * connection, the event stream included, and refuses new ones. The deploy
 * must fail with an error naming the engine, never touch traffic, leave its
 * journal open since it could not undo, and the next command (once the engine
 * answers) must leave nothing behind.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cv } from '../rig/canary-crash-fixture.js';
import { startCli, untilLogged } from '../rig/cli-until.js';
import { startDockerFaultProxy } from '../rig/docker-fault-proxy.js';
import { faultProjectFixture } from '../rig/fault-project-fixture.js';
import { httpGet } from '../rig/http-get.js';

const { h, project, fault: proxy } = faultProjectFixture('docker-cut', { versions: ['v1', 'v2', 'v3'], project: { drainTimeout: '10' }, fault: () => startDockerFaultProxy() });

describe('the Docker API cut during a deploy', { concurrency: false }, () => {
  /** The error lines of a run (human or JSON log). */
  const errorLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('error:') || line.includes('"level":50'));
  async function assertServes(version: string, context: string): Promise<void> {
    for (let i = 0; i < 10; i += 1) {
      const answer = await httpGet(project().caddy.url('/version'));
      assert.deepEqual([answer.status, answer.body], [200, version], context);
    }
  }

  test('the Docker API unreachable during the health wait: a clear error, traffic untouched, settled once the engine answers', async () => {
    const before = await h.state();
    const live = before.active?.version ?? '';
    const env = { DOCKER_HOST: proxy().dockerHost };
    const run = startCli(project(), ['deploy', 'v3'], { ...env, START_DELAY_MS: '5000' });
    await untilLogged(run, /"phase":"waiting-healthy"/);
    assert.ok(proxy().connections() > 0, 'cutover talks to the engine through the proxy');
    proxy().cut();
    try {
      await assertServes(live, 'while the engine is unreachable');
      const code = await run.done;
      // 12: the deploy failed and so did its undo (the engine is unreachable for both).
      assert.equal(code, 12, run.stderr());
      assert.match(run.stderr(), /left the deploy open in the state file/);
      assert.notEqual((await h.state()).operation, null, 'the journal stays open: nothing was undone yet');
      const errors = errorLines(run.stderr());
      assert.ok(errors.length >= 1, run.stderr());
      assert.match(errors.join('\n'), new RegExp(proxy().dockerHost.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), 'the error names the engine address it could not reach');
      await assertServes(live, 'after the deploy gave up');
    } finally {
      proxy().heal();
    }
    const next = await h.cli(['reconcile'], env);
    assert.equal(next.code, 0, next.stderr);
    const settled = await h.assertSettled('engine back after a cut');
    assert.deepEqual([cv(settled.active), cv(settled.standby)], [cv(before.active), cv(before.standby)], 'the project as it was, rollback target included');
  });
});
