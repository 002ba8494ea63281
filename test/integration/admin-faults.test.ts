/**
 * The admin API failing at the switch, on a real Caddy behind a proxy that
 * injects the fault into that one request (test/rig/admin-fault-proxy.ts):
 * - the answer is lost after Caddy applied the switch: cutover reads Caddy
 *   again, sees the switch applied, and finishes the deploy;
 * - Caddy answers 503: nothing was applied; the deploy is undone, the parked
 *   standby brought back, exit 5;
 * - the answer is lost and the admin API stays down: nobody can tell, so
 *   nothing is undone (the new color may be serving); exit 4 with the journal
 *   open, and the next command, once Caddy answers, finishes it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startAdminFaultProxy } from '../rig/admin-fault-proxy.js';
import { faultProjectFixture } from '../rig/fault-project-fixture.js';
import { httpGet } from '../rig/http-get.js';

const { h, project, fault: proxy } = faultProjectFixture('adminfault', {
  versions: ['v1', 'v2', 'v3', 'v4', 'v5'],
  fault: (p) => startAdminFaultProxy(p.caddy.adminAddress),
  adminThrough: (proxy) => proxy.address,
});

describe('the admin API failing at the switch', { concurrency: false }, () => {
  test('the answer lost after Caddy applied the switch: read again, found applied, the deploy finishes', async () => {
    const forwarded = proxy().changesForwarded();
    proxy().injectOnNextChange('reset-after-apply');
    const run = await h.cli(['deploy', 'v3']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Caddy's answer to the switch was lost .* but its config shows the switch applied/);
    assert.equal(proxy().changesForwarded(), forwarded + 1, 'one change reached Caddy: the switch was not sent twice');
    const settled = await h.assertSettled('answer lost, switch applied');
    assert.equal(settled.active?.version, 'v3');
  });

  test('Caddy answers 503 to the switch: the deploy is undone, the standby back, exit 5', async () => {
    const before = await h.state();
    proxy().injectOnNextChange('answer-503');
    const run = await h.cli(['deploy', 'v4']);
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /Caddy rejected PATCH \/config\/apps\/http\/servers \(HTTP 503\)/);
    const settled = await h.assertSettled('503 at the switch');
    assert.deepEqual([settled.active?.version, settled.standby?.version], [before.active?.version, before.standby?.version]);
    assert.equal(settled.history.at(-1)?.outcome, 'failed');
  });

  test('the answer lost and the admin API down: nothing undone on a guess, exit 4, the next command finishes it', async () => {
    proxy().injectOnNextChange('down-after-apply');
    const run = await h.cli(['deploy', 'v5']);
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /could not be read again to tell whether the switch was applied/);
    assert.match(run.stderr, /cutover reconcile/);
    // Caddy did take the switch: the new color serves, and was left running.
    assert.equal((await httpGet(project().caddy.url('/version'))).body, 'v5');
    const open = await h.state();
    assert.notEqual(open.operation, null, 'the journal keeps the deploy open');
    proxy().heal();
    const settle = await h.cli(['reconcile']);
    assert.equal(settle.code, 0, settle.stderr);
    assert.match(settle.stderr, /an interrupted deploy to v5/);
    const settled = await h.assertSettled('admin down after the switch');
    assert.equal(settled.active?.version, 'v5');
    assert.deepEqual([settled.history.at(-1)?.outcome, settled.history.at(-1)?.recovered?.direction], ['succeeded', 'finished']);
  });
});
