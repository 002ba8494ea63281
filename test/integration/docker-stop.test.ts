/**
 * Stopping uses the grace period it is given, never Docker's 10 s default: the
 * app drains in-flight requests on SIGTERM when given time, and is killed when
 * the grace runs out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerEngine } from '../../src/adapters/docker/docker-engine.js';
import type { ServiceContainer } from '../../src/adapters/docker/service-container.js';
import { silentLogger } from '../../src/log.js';
import { appServiceSpec } from '../rig/app-service-spec.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { heldGet, waitForHttp, type HttpAnswer } from '../rig/http-get.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('stop');
const docker = rigDockerClient();
const engine = DockerEngine.fromEnvironment(silentLogger());
const project = scope.prefix;
let containers: ServiceContainer[] = [];

/**
 * Sends GET /slow?ms=N and resolves once the app is handling it (see heldGet),
 * with the answer still to come (wrapped: an async function would wait for a returned promise).
 */
async function slowRequestInFlight(container: ServiceContainer, ms: number): Promise<{ answer: Promise<HttpAnswer> }> {
  const { inFlight, answer } = heldGet(`http://127.0.0.1:${container.ports[0]?.hostPort}/slow?ms=${ms}`);
  answer.catch(() => undefined); // awaited by the caller; no unhandled rejection meanwhile
  await inFlight;
  return { answer };
}

async function timed(work: Promise<void>): Promise<number> {
  const started = performance.now();
  await work;
  return performance.now() - started;
}

describe('docker adapter: stopping with a grace period', () => {
  before(async () => {
    const image = await buildTestImage(docker, scope, 'v1');
    const spec = appServiceSpec({ name: 'drain', image, replicas: 2, healthcheck: undefined, stopGracePeriodMs: 5000 });
    containers = await engine.startServiceColor({ project, spec, color: 'blue', version: 'v1', networks: {}, volumes: {}, extraLabels: scope.labels });
    await Promise.all(containers.map((c) => waitForHttp(`http://127.0.0.1:${c.ports[0]?.hostPort}/version`)));
  });

  after(async () => {
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('an in-flight request finishes when the grace period allows it; it is cut when the grace runs out', async () => {
    const [patient, hasty] = containers;
    assert.ok(patient && hasty);
    const [finishing, cut] = await Promise.all([slowRequestInFlight(patient, 1500), slowRequestInFlight(hasty, 4000)]);

    // Both stops at once: 5 s grace for a 1.5 s request, 1 s grace for a 4 s request.
    const [patientMs, hastyMs] = await Promise.all([timed(engine.stopContainers([patient.id], 5000)), timed(engine.stopContainers([hasty.id], 1000))]);

    const answer = await finishing.answer;
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'v1');
    assert.ok(patientMs < 5_000, `drained in ${patientMs.toFixed(0)} ms, before the 5 s grace`);
    const [patientAfter] = await engine.listContainers({ project, service: 'drain', color: 'blue' }).then((all) => all.filter((c) => c.id === patient.id));
    assert.equal(patientAfter?.exitCode, 0, 'the app exited by itself after draining');
    const patientLogs = await engine.readLogTail(patient.id);
    assert.ok(patientLogs.includes('SIGTERM: stop accepting, 1 request(s) in flight'), JSON.stringify(patientLogs));

    await assert.rejects(cut.answer, 'a 4 s request cannot finish within a 1 s grace');
    assert.ok(hastyMs >= 900 && hastyMs < 8_000, `killed after ${hastyMs.toFixed(0)} ms: the 1 s grace, not Docker's 10 s default`);
    const [hastyAfter] = await engine.listContainers({ project, service: 'drain' }).then((all) => all.filter((c) => c.id === hasty.id));
    assert.equal(hastyAfter?.exitCode, 137, 'SIGKILL after the grace period');
  });
});

