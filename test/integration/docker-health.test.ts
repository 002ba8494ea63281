/**
 * Following health on the real Docker engine: healthy, unhealthy with the
 * check's output and the log tail (at once with failFast, else at the timeout),
 * unhealthy then healthy, unhealthy then exited, exited at start, no
 * healthcheck, timeout, abort, and how fast the adapter reacts to Docker's
 * health event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerEngine } from '../../src/adapters/docker/docker-engine.js';
import type { HealthChange } from '../../src/adapters/docker/wait-until-healthy.js';
import type { ServiceSpec } from '../../src/config/model.js';
import { silentLogger } from '../../src/log.js';
import { APP_HEALTHCHECK, appServiceSpec } from '../rig/app-service-spec.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('health');
const docker = rigDockerClient();
const engine = DockerEngine.fromEnvironment(silentLogger());
const project = scope.prefix;
let image = '';

async function start(overrides: Partial<ServiceSpec> & { name: string }): Promise<string> {
  const [container] = await engine.startServiceColor({
    project,
    spec: appServiceSpec({ image, ...overrides }),
    color: 'blue',
    version: 'v1',
    networks: {},
    volumes: {},
    extraLabels: scope.labels,
  });
  assert.ok(container);
  return container.id;
}

/**
 * A healthcheck run by busybox sh (no node start per check, so it answers in
 * milliseconds even on a loaded machine): fails, printing "not ready yet",
 * until /tmp/ready exists.
 */
const CHECK_READY_FILE: ServiceSpec['healthcheck'] = {
  test: ['CMD', 'sh', '-c', 'test -f /tmp/ready || { echo "not ready yet"; exit 1; }'],
  intervalMs: 500,
  timeoutMs: 10_000,
  retries: 1,
  startPeriodMs: undefined,
  startIntervalMs: undefined,
};

describe('docker adapter: waiting until healthy', () => {
  before(async () => {
    image = await buildTestImage(docker, scope, 'v1');
  });

  after(async () => {
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('reacts to Docker’s health event within 250 ms (not at the next poll)', async (t) => {
    const id = await start({ name: 'fast' });
    // Our own subscription, to know when Docker announced the change.
    const events = (await docker.getEvents({ filters: { container: [id], event: ['health_status'] } })) as NodeJS.ReadableStream & { destroy(): void };
    let announcedAt: number | undefined;
    events.on('data', (chunk: Buffer) => {
      if (announcedAt === undefined && chunk.toString('utf8').includes('health_status: healthy')) announcedAt = performance.now();
    });
    let reactedAt: number | undefined;
    const changes: HealthChange[] = [];
    try {
      // A poll every 60 s: only the event can make the adapter fast here.
      const result = await engine.waitUntilHealthy([id], {
        timeoutMs: 15_000,
        pollIntervalMs: 60_000,
        onChange: (change) => {
          changes.push(change);
          if (change.verdict === 'healthy') reactedAt = performance.now();
        },
      });
      assert.equal(result.healthy, true, JSON.stringify(result.outcomes));
    } finally {
      events.destroy();
    }
    assert.ok(announcedAt !== undefined && reactedAt !== undefined, 'both saw the change');
    const delay = reactedAt - announcedAt;
    t.diagnostic(`reaction ${delay.toFixed(1)} ms after Docker's health event`);
    // The periodic inspect runs every 60 s here: anything well under that is the event path (about 10 ms on a quiet machine).
    assert.ok(delay < 5_000, `adapter reacted ${delay.toFixed(0)} ms after Docker's event`);
    assert.deepEqual(
      changes.map((c) => `${c.health}/${c.verdict}`),
      ['starting/pending', 'healthy/healthy'],
    );
  });

  test('with failFast a failing health check is reported unhealthy, with the check output and the log tail, quickly', async () => {
    // The app's own probe, with a timeout generous enough for a loaded machine.
    const id = await start({ name: 'sick', environment: { HEALTH_FAIL: '1' }, healthcheck: { test: APP_HEALTHCHECK, intervalMs: 1000, timeoutMs: 10_000, retries: 1, startPeriodMs: undefined, startIntervalMs: undefined } });
    const result = await engine.waitUntilHealthy([id], { timeoutMs: 60_000, failFast: true });
    assert.equal(result.healthy, false);
    const [outcome] = result.outcomes;
    assert.equal(outcome?.verdict, 'unhealthy');
    assert.equal(outcome?.health, 'unhealthy');
    assert.equal(outcome?.lastCheck?.exitCode, 1);
    assert.match(outcome?.lastCheck?.output ?? '', /^500 unhealthy: v1 told to fail/);
    assert.ok(outcome?.logTail.includes('app v1 listening on 0.0.0.0:3000'), JSON.stringify(outcome?.logTail));
    // interval 1 s, retries 1: unhealthy after the first check, not after the timeout.
    assert.ok(result.elapsedMs < 20_000, `took ${result.elapsedMs} ms`);
  });

  test('without failFast an unhealthy container is waited for and passes once it becomes healthy', async () => {
    // Its check fails until /tmp/ready appears after 4 s; with retries 1 Docker calls it unhealthy first.
    const id = await start({ name: 'late', command: ['sh', '-c', 'sleep 4; touch /tmp/ready; exec node /app/server.mjs'], healthcheck: CHECK_READY_FILE });
    const changes: HealthChange[] = [];
    const looks: HealthChange[] = [];
    const result = await engine.waitUntilHealthy([id], { timeoutMs: 30_000, onChange: (c) => changes.push(c), onLook: (l) => looks.push(l) });
    assert.equal(result.healthy, true, JSON.stringify(result.outcomes));
    const seen = changes.map((c) => `${c.health}/${c.verdict}`);
    assert.ok(seen.includes('unhealthy/pending'), `Docker called it unhealthy first: ${seen.join(', ')}`);
    assert.equal(seen.at(-1), 'healthy/healthy');
    assert.ok(
      looks.some((l) => l.health === 'unhealthy' && l.lastCheck?.exitCode === 1 && l.lastCheck.output === 'not ready yet'),
      'the looks carry the failing check output',
    );
  });

  test('without failFast an unhealthy container fails at the timeout, not before, with its health and check output', async () => {
    const id = await start({ name: 'sick-long', healthcheck: CHECK_READY_FILE });
    const changes: HealthChange[] = [];
    const result = await engine.waitUntilHealthy([id], { timeoutMs: 5000, onChange: (c) => changes.push(c) });
    assert.equal(result.healthy, false);
    const [outcome] = result.outcomes;
    assert.deepEqual([outcome?.verdict, outcome?.state, outcome?.health], ['timed-out', 'running', 'unhealthy']);
    assert.deepEqual(outcome?.lastCheck, { exitCode: 1, output: 'not ready yet' });
    assert.ok(changes.some((c) => c.health === 'unhealthy' && c.verdict === 'pending'), 'Docker called it unhealthy during the wait');
    assert.ok(result.elapsedMs >= 5000, `ended after ${result.elapsedMs} ms, before the timeout`);
  });

  test('without failFast an unhealthy container that then exits fails at once, well before the timeout', async () => {
    // Unhealthy from its first check; exits 5 after 4 s.
    const id = await start({ name: 'sick-exit', command: ['sh', '-c', 'sleep 4; exit 5'], healthcheck: CHECK_READY_FILE });
    const changes: HealthChange[] = [];
    const result = await engine.waitUntilHealthy([id], { timeoutMs: 60_000, onChange: (c) => changes.push(c) });
    const [outcome] = result.outcomes;
    assert.deepEqual([outcome?.verdict, outcome?.exitCode], ['exited', 5]);
    assert.ok(changes.some((c) => c.health === 'unhealthy' && c.verdict === 'pending'), 'it was unhealthy and waited for before it exited');
    assert.ok(result.elapsedMs < 15_000, `took ${result.elapsedMs} ms`);
  });

  test('a container that exits at start is reported exited, with its exit code and logs', async () => {
    const id = await start({ name: 'crash', command: ['sh', '-c', 'echo "starting"; echo "fatal: DATABASE_URL is not set" >&2; exit 3'] });
    const result = await engine.waitUntilHealthy([id], { timeoutMs: 15_000 });
    const [outcome] = result.outcomes;
    assert.equal(outcome?.verdict, 'exited');
    assert.equal(outcome?.state, 'exited');
    assert.equal(outcome?.exitCode, 3);
    // stdout and stderr travel separately, so their order in Docker's log is not fixed.
    assert.deepEqual(outcome?.logTail.slice().sort(), ['fatal: DATABASE_URL is not set', 'starting']);
    assert.ok(result.elapsedMs < 10_000, `took ${result.elapsedMs} ms: at once, not at the 15 s time-out`);
  });

  test('one failing replica fails the wait at once; the others are undecided', async () => {
    const good = await start({ name: 'pair-good', healthcheck: { test: ['CMD', 'true'], intervalMs: 30_000, timeoutMs: 1000, retries: 1, startPeriodMs: undefined, startIntervalMs: undefined } });
    const bad = await start({ name: 'pair-bad', command: ['sh', '-c', 'exit 1'] });
    const result = await engine.waitUntilHealthy([good, bad], { timeoutMs: 15_000 });
    assert.equal(result.healthy, false);
    assert.deepEqual(
      result.outcomes.map((o) => o.verdict),
      ['undecided', 'exited'],
    );
  });

  test('without a healthcheck, running counts as healthy', async () => {
    const id = await start({ name: 'plain', healthcheck: 'disabled' });
    const result = await engine.waitUntilHealthy([id], { timeoutMs: 5000 });
    assert.equal(result.healthy, true);
    assert.equal(result.outcomes[0]?.health, 'none');
    assert.ok(result.elapsedMs < 4_000, `took ${result.elapsedMs} ms: at once, not at the 5 s time-out`);
  });

  test('times out with the container still starting, and can be aborted', async () => {
    // Never listens within the wait, and many retries keep it "starting".
    const id = await start({
      name: 'slow',
      environment: { START_DELAY_MS: '60000' },
      healthcheck: { test: ['CMD', 'node', '/app/server.mjs', '--probe'], intervalMs: 1000, timeoutMs: 3000, retries: 100, startPeriodMs: undefined, startIntervalMs: undefined },
    });
    const result = await engine.waitUntilHealthy([id], { timeoutMs: 1200 });
    assert.equal(result.healthy, false);
    assert.equal(result.outcomes[0]?.verdict, 'timed-out');
    assert.equal(result.outcomes[0]?.state, 'running');

    const controller = new AbortController();
    const waiting = engine.waitUntilHealthy([id], { timeoutMs: 15_000, signal: controller.signal });
    controller.abort(new Error('interrupted by the user'));
    await assert.rejects(waiting, /interrupted by the user/);
  });
});
