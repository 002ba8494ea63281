/**
 * A color as a Swarm service on a real single-node Swarm: the private engine
 * of test/rig/swarm-engine.ts (the shared engine never enters Swarm mode).
 * v1's color, then v2's next to it: every task healthy, each task's address
 * answering its own version from a container on the attachable overlay, and
 * `tasks.<service>` listing exactly the color's tasks (what Caddy on the
 * overlay resolves). Then the colors that must fail at once: a version whose
 * healthcheck never passes, a version whose process exits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SwarmServices } from '../../src/adapters/swarm/swarm-services.js';
import type { ServiceSpec } from '../../src/config/model.js';
import { swarmServiceName, swarmTasksHost } from '../../src/domain/swarm-service-name.js';
import { swarmServiceSpec } from '../../src/domain/swarm-service-spec.js';
import { silentLogger } from '../../src/log.js';
import { makeSpec } from '../fixtures/make-service.js';
import { APP_HEALTHCHECK } from '../rig/app-service-spec.js';
import { runInContainer } from '../rig/run-in-container.js';
import { testScope } from '../rig/run-id.js';
import { type SwarmEngine, startSwarmEngine } from '../rig/swarm-engine.js';
import { APP_PORT, buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('swarm');
const project = scope.prefix;
const network = scope.name('net');
/** Generous: four engineers' tests share two cores; a healthy color is seen as soon as it is healthy anyway. */
const HEALTH_TIMEOUT_MS = 120_000;

let engine: SwarmEngine | undefined;
let swarm: SwarmServices;
let imageV1 = '';
let imageV2 = '';

function webSpec(image: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return makeSpec({
    name: 'web',
    image,
    networks: [{ key: 'net', aliases: [] }],
    healthcheck: { test: APP_HEALTHCHECK, intervalMs: 1000, timeoutMs: 3000, retries: 1, startPeriodMs: undefined },
    stopGracePeriodMs: 2000,
    replicas: 2,
    ...overrides,
  });
}

/** Plans and creates one color's service; the plan must be accepted. */
async function createColor(spec: ServiceSpec, color: 'blue' | 'green', version: string): Promise<string> {
  const planned = swarmServiceSpec({
    project,
    spec,
    color,
    version,
    networks: { net: network },
    networkSpecs: { net: { name: network, external: true, driver: 'overlay' } },
    volumes: {},
    extraLabels: scope.labels,
  });
  if (!planned.ok) assert.fail(planned.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  await swarm.create(planned.spec);
  return planned.spec.Name;
}

/** Runs in the probe container (the app image has node): GET /version on each address, then what `host` resolves to. */
const PROBE = `
const [host, ...addresses] = process.argv.slice(1);
for (const address of addresses) {
  const answer = await fetch('http://' + address + ':${APP_PORT}/version', { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), (e) => 'error:' + e.message);
  console.log('version ' + address + ' ' + answer.trim());
}
const { lookup } = await import('node:dns/promises');
const found = await lookup(host, { all: true, family: 4 }).catch(() => []);
console.log('resolved ' + found.map((f) => f.address).join(' '));
`;

/** From a container on the overlay: each address's version, and the addresses `host` resolves to (sorted). */
async function probeFromOverlay(addresses: string[], host: string): Promise<{ versions: Record<string, string>; resolved: string[] }> {
  const { exitCode, output } = await runInContainer((engine as SwarmEngine).docker, {
    image: imageV1,
    cmd: ['node', '--input-type=module', '-e', PROBE, host, ...addresses],
    name: scope.name(`probe-${Date.now()}`),
    labels: scope.labels,
    network,
  });
  assert.equal(exitCode, 0, output);
  const versions: Record<string, string> = {};
  let resolved: string[] = [];
  for (const line of output.split('\n')) {
    const [kind, ...rest] = line.trim().split(' ');
    if (kind === 'version') versions[rest[0] as string] = rest.slice(1).join(' ');
    if (kind === 'resolved') resolved = rest.filter((a) => a !== '').sort();
  }
  return { versions, resolved };
}

describe('Swarm adapter on a private single-node Swarm', { timeout: 600_000 }, () => {
  before(async () => {
    engine = await startSwarmEngine();
    swarm = new SwarmServices({ docker: engine.docker, endpoint: engine.dockerHost, logger: silentLogger() });
    await engine.docker.createNetwork({ Name: network, Driver: 'overlay', Attachable: true, Labels: scope.labels });
    [imageV1, imageV2] = await Promise.all([buildTestImage(engine.docker, scope, 'v1'), buildTestImage(engine.docker, scope, 'v2')]);
  });

  after(async () => {
    // Everything lives in the private engine: stopping it removes its services, containers, networks and images.
    await engine?.stop();
  });

  test('v1 then v2: every task healthy, each task answers its version on the overlay, tasks.<name> lists exactly the color', async () => {
    const blue = await createColor(webSpec(imageV1), 'blue', 'v1');
    const blueWait = await swarm.waitUntilHealthy(blue, { replicas: 2, timeoutMs: HEALTH_TIMEOUT_MS });
    assert.equal(blueWait.ok, true, `blue: ${JSON.stringify(blueWait)}`);
    const green = await createColor(webSpec(imageV2), 'green', 'v2');
    assert.equal(green, swarmServiceName(project, 'web', 'green'));
    const greenWait = await swarm.waitUntilHealthy(green, { replicas: 2, timeoutMs: HEALTH_TIMEOUT_MS });
    assert.equal(greenWait.ok, true, `green: ${JSON.stringify(greenWait)}`);

    const addressesOf = (tasks: typeof blueWait.tasks) => tasks.flatMap((t) => t.addresses.filter((a) => a.network === network).map((a) => a.address)).sort();
    const blueAddresses = addressesOf(blueWait.tasks);
    const greenAddresses = addressesOf(greenWait.tasks);
    assert.equal(blueAddresses.length, 2);
    assert.equal(greenAddresses.length, 2);

    const { versions, resolved } = await probeFromOverlay([...blueAddresses, ...greenAddresses], swarmTasksHost(project, 'web', 'green'));
    assert.deepEqual(versions, Object.fromEntries([...blueAddresses.map((a) => [a, 'v1']), ...greenAddresses.map((a) => [a, 'v2'])]));
    assert.deepEqual(resolved, greenAddresses);

    // The listing agrees with the wait.
    assert.deepEqual(addressesOf(await swarm.listTasks(green)), greenAddresses);

    // Removing a color: its service and its tasks go; removing it again is no error.
    assert.equal(await swarm.remove(blue), true);
    assert.equal(await swarm.remove(blue), false);
    await waitUntil('blue tasks to be gone', 60_000, async () => ((await swarm.listTasks(blue)).length === 0 ? true : undefined));
    assert.equal(await swarm.remove(green), true);
  });

  test('a version whose healthcheck never passes, and one whose process exits, fail the wait at once with Swarm\'s reason', async () => {
    const sick = await createColor(webSpec(imageV2, { name: 'sick', replicas: 1, environment: { HEALTH_FAIL: '1' } }), 'green', 'v2');
    const exits = await createColor(webSpec(imageV2, { name: 'exits', replicas: 1, command: ['sh', '-c', 'exit 3'] }), 'green', 'v2');
    const [sickWait, exitsWait] = await Promise.all([
      swarm.waitUntilHealthy(sick, { replicas: 1, timeoutMs: HEALTH_TIMEOUT_MS }),
      swarm.waitUntilHealthy(exits, { replicas: 1, timeoutMs: HEALTH_TIMEOUT_MS }),
    ]);
    assert.ok(!sickWait.ok && sickWait.reason === 'failed', `sick: ${JSON.stringify(sickWait)}`);
    // Swarm stops an unhealthy task with its stop signal: the app exits 0 on SIGTERM, so the task "completes" (a
    // process killed by the signal would be "failed: non-zero exit (137): dockerexec: unhealthy container").
    assert.ok(['complete', 'failed'].includes(sickWait.task.state), `sick: ${JSON.stringify(sickWait.task)}`);
    assert.ok(!exitsWait.ok && exitsWait.reason === 'failed', `exits: ${JSON.stringify(exitsWait)}`);
    assert.match(exitsWait.task.error ?? '', /non-zero exit \(3\)/);
    // "At once": long before the health timeout.
    assert.ok(sickWait.ms < HEALTH_TIMEOUT_MS / 2 && exitsWait.ms < HEALTH_TIMEOUT_MS / 2, `${sickWait.ms} ms, ${exitsWait.ms} ms`);
    await Promise.all([swarm.remove(sick), swarm.remove(exits)]);
  });
});
