/**
 * The baseline: passive health routing, the document's way. Caddy lists both
 * colors for every service (config loaded once, never changed); deploy.sh
 * starts the new color, waits for Docker health, sleeps DRAIN_TIMEOUT and
 * stops the old color. The same load, images and container specs as the
 * cutover scenario.
 */
import type Docker from 'dockerode';
import { DockerEngine } from '../src/adapters/docker/docker-engine.js';
import { silentLogger } from '../src/log.js';
import { startCaddy, type RunningCaddy } from '../test/rig/caddy-runner.js';
import { httpGet } from '../test/rig/http-get.js';
import type { LoadRun } from '../test/rig/load-client.js';
import { testScope } from '../test/rig/run-id.js';
import { buildTestImage } from '../test/rig/test-image.js';
import { createBenchProject } from './bench-project.js';
import { pause, startBenchLoad, waitForSteadyLoad } from './load-profile.js';
import { HEALTH_INTERVAL, renderPassiveCaddyfile, type PassivePolicy } from './passive-caddyfile.js';
import { passiveSwap, startColor, startExisting, type PassiveStack } from './passive-deploy.js';
import { formatMs, say } from './progress.js';
import { tearDownScenario } from './tear-down-scenario.js';
import { countWindow, readLoadShape, readVersionShift } from './read-samples.js';
import { describePassiveRun } from './passive-notes.js';
import type { ScenarioResult } from './scenario-result.js';
import { watchUpstreams, type UpstreamWatch } from './watch-upstreams.js';

/** DRAIN_TIMEOUT of the baseline: the document's default is 30 s; 5 s keeps the benchmark short. */
export const PASSIVE_DRAIN_MS = 5_000;
/** deploy.sh's HEALTH_CHECK_INTERVAL: the document's default is 3 s; 1 s as in the cutover project's .env. */
export const PASSIVE_HEALTH_POLL_MS = 1_000;

const NAMES: Record<PassivePolicy, string> = {
  first: 'passive, both colors, `lb_policy first`',
  alias: 'passive, both colors, shared alias (`random`)',
};

async function waitForVersion(url: string, version: string, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await httpGet(url, { timeoutMs: 2_000 }).catch(() => undefined);
    if (answer?.status === 200 && answer.body === version) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${version} within 15 s (last: ${answer?.status} ${answer?.body})`);
    await pause(100, signal);
  }
}

export async function runPassiveScenario(docker: Docker, policy: PassivePolicy, signal: AbortSignal): Promise<ScenarioResult> {
  const scope = testScope(`bench-${policy}`);
  say(`${NAMES[policy]}: building images v1, v2 (${scope.prefix}-app)`);
  await Promise.all(['v1', 'v2'].map((v) => buildTestImage(docker, scope, v)));
  const project = await createBenchProject(docker, scope);
  let caddy: RunningCaddy | undefined;
  let load: LoadRun | undefined;
  let watch: UpstreamWatch | undefined;
  try {
    caddy = await startCaddy({ caddyfile: renderPassiveCaddyfile(project.ports, project.services, policy) });
    say(`  Caddy lists blue and green for ${project.services.join(', ')} (health_interval ${HEALTH_INTERVAL}), on ${caddy.url('/')}`);
    const stack: PassiveStack = { projectDir: project.dir, engine: DockerEngine.fromEnvironment(silentLogger()), docker };
    const swap = { drainMs: PASSIVE_DRAIN_MS, healthIntervalMs: PASSIVE_HEALTH_POLL_MS, signal, say };

    say('  first deploy: v1 on blue (no load)');
    const first = await passiveSwap(stack, { ...swap, start: () => startColor(stack, 'blue', 'v1'), stop: [] });
    await waitForVersion(caddy.url('/version'), 'v1', signal);
    const blue = first.ids;

    watch = watchUpstreams(caddy.adminAddress);
    load = startBenchLoad(caddy.url('/'));
    await waitForSteadyLoad(load, signal);
    say('  deploy v2 on green under load');
    const deployStart = Date.now();
    const deploy = await passiveSwap(stack, { ...swap, start: () => startColor(stack, 'green', 'v2'), stop: blue });
    await pause(1_500, signal);

    say('  rollback: docker start blue (v1) again, then as a deploy');
    const rollbackStart = Date.now();
    const rollback = await passiveSwap(stack, { ...swap, start: () => startExisting(stack, blue), stop: deploy.ids });
    await pause(1_500, signal);
    const samples = await load.stop();
    load = undefined;
    const end = Date.now();
    const looks = await watch.stop();
    watch = undefined;

    const deployShift = readVersionShift(samples, deployStart, rollbackStart, 'v1', 'v2');
    const rollbackShift = readVersionShift(samples, rollbackStart, end, 'v2', 'v1');
    const notes = describePassiveRun({
      samples,
      looks,
      caddyLogs: caddy.logs(),
      dials: (color) => `127.0.0.1:${project.ports[color][project.services[0] ?? 'web']}`,
      windows: { deploy: [deployStart, rollbackStart], rollback: [rollbackStart, end] },
      stops: { deploy: { what: '`docker stop` blue (v1)', at: deploy.stopAt, ms: deploy.stopMs }, rollback: { what: '`docker stop` green (v2)', at: rollback.stopAt, ms: rollback.stopMs } },
    });
    if (deployShift.oldAfterNew > 0) notes.push(`deploy: ${deployShift.oldAfterNew} new request(s) got v1 after the first v2 answer`);
    if (rollbackShift.oldAfterNew > 0) notes.push(`rollback: ${rollbackShift.oldAfterNew} new request(s) got v2 after the first v1 answer`);
    return {
      name: NAMES[policy],
      requests: samples.length,
      load: readLoadShape(samples),
      deploy: countWindow(samples, deployStart, rollbackStart),
      rollback: countWindow(samples, rollbackStart, end),
      mixedMs: { deploy: deployShift.mixedMs, rollback: rollbackShift.mixedMs },
      phases: {
        startMs: deploy.startMs,
        healthyMs: deploy.healthyMs,
        switchMs: deployShift.lastOldAt === undefined ? undefined : Math.max(0, deployShift.lastOldAt - deploy.healthyAt),
        drain: `sleep ${formatMs(deploy.drainSleepMs)} + stop ${formatMs(deploy.stopMs)}`,
        totalMs: deploy.totalMs,
      },
      rollbackMs: rollbackShift.lastOldAt === undefined ? 0 : Math.max(0, rollbackShift.lastOldAt - rollbackStart),
      notes,
    };
  } finally {
    await load?.stop();
    await watch?.stop();
    await caddy?.stop();
    await tearDownScenario(docker, scope, project, undefined);
  }
}
