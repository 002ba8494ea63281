/**
 * WebSockets across a switch on Caddy 2.6.2 (docs/websockets.md): sockets
 * opened through Caddy to the old color, then a deploy. Caddy counts an open
 * WebSocket as a request in flight to its upstream (what the drain reads),
 * and the switch, a config load, closes every one of them: Caddy sends the
 * client a close frame 1001 (going away) before the deploy even drains (the
 * app's own close on SIGTERM would be 1012). New sockets reach the new color.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { crashHarness } from '../rig/crash-harness.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';
import { openWebSocket, type WebSocketEnd } from '../rig/websocket-client.js';

const scope = testScope('websocket');
const docker = rigDockerClient();
let project: HostModeProject;
const h = crashHarness(docker, () => project);
const SOCKETS = 3;

before(async () => {
  for (const version of ['v1', 'v2']) await buildTestImage(docker, scope, version);
  project = await createHostModeProject(docker, scope, { services: ['web'], drainTimeout: '20' });
  const first = await h.cli(['deploy', 'v1']);
  assert.equal(first.code, 0, first.stderr);
});

after(async () => {
  await project?.remove();
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

async function inFlight(): Promise<Record<string, number>> {
  const answer = await httpGet(`${project.caddy.adminAddress}/reverse_proxy/upstreams`);
  const list = JSON.parse(answer.body) as Array<{ address: string; num_requests: number }>;
  return Object.fromEntries(list.map((u) => [u.address, u.num_requests]));
}

test('Caddy 2.6.2: open WebSockets count as in flight, and the switch closes every one of them with a close frame (1001)', async () => {
  const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => openWebSocket(project.caddy.url('/ws'))));
  assert.deepEqual(sockets.map((s) => s.greeting), Array(SOCKETS).fill('v1'), 'every socket reached v1');
  const ends: WebSocketEnd[] = [];
  for (const s of sockets) void s.ended.then((end) => ends.push(end));

  // What the drain reads: Caddy's in-flight count of the old color's upstream includes the open sockets.
  const counts = await inFlight();
  assert.ok(Object.values(counts).some((n) => n >= SOCKETS), `an upstream has the ${SOCKETS} sockets in flight: ${JSON.stringify(counts)}`);

  const run = await h.cli(['deploy', 'v2', '--log-format', 'json']);
  assert.equal(run.code, 0, run.stderr);
  // Already ended when the deploy returns: the switch closed them, not the end of the drain or a stop of the old app.
  await waitUntil('the socket ends to be read', 5_000, () => (ends.length === SOCKETS ? true : undefined));
  process.stderr.write(`websocket ends after the switch: ${JSON.stringify(ends)}\n`);
  // Caddy sends 1001 (going away) to both sides; now and then the old app's own close frame, its answer
  // to Caddy's (no status code), is forwarded to the client first. Either way a close frame, never a reset.
  assert.deepEqual(
    ends.map((e) => (e.how === 'close-frame' && (e.code === 1001 || e.code === undefined) ? 'closed by the switch' : JSON.stringify(e))),
    Array(SOCKETS).fill('closed by the switch'),
    `every socket got a close frame at the switch, 1001 (going away) or the app's answer to it: ${JSON.stringify(ends)}`,
  );
  assert.ok(ends.some((e) => e.how === 'close-frame' && e.code === 1001), `Caddy's 1001 reached a client: ${JSON.stringify(ends)}`);
  assert.doesNotMatch(run.stderr, /"event":"drain.timeout"/, 'the drain did not wait for sockets Caddy had already closed');
  assert.doesNotMatch(run.stderr, /"event":"old.stopped"/, 'the old color was kept running: its app did not close them');

  const fresh = await openWebSocket(project.caddy.url('/ws'));
  assert.equal(fresh.greeting, 'v2', 'a new socket reaches the new color');
  fresh.close();
});
