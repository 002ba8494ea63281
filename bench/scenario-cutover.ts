/**
 * cutover itself, as the CLI runs it: deploy v1, then v2 under load (start the
 * idle color, wait until healthy, one If-Match switch of all services, drain
 * by in-flight counts, old color kept as warm standby), then `rollback` to the
 * standby with the load still running. The project has the reference stack's
 * shape (four services, platform on four ports through separate handlers); a
 * second load goes round every route and its figures are given per route.
 */
import type Docker from 'dockerode';
import { rollback } from '../src/run/rollback.js';
import { deploy } from '../src/run/deploy.js';
import { createReferenceShapeProject } from './reference-shape-project.js';
import { routeFigures, startRouteLoad, type RouteLoad } from '../scripts/demo/route-load.js';
import type { LoadRun } from '../test/rig/load-client.js';
import { testScope } from '../test/rig/run-id.js';
import { buildTestImage } from '../test/rig/test-image.js';
import { operate } from './operate.js';
import { pause, startBenchLoad, waitForSteadyLoad } from './load-profile.js';
import { formatMs, say } from './progress.js';
import { tearDownScenario } from './tear-down-scenario.js';
import { countWindow, readLoadShape, readVersionShift } from './read-samples.js';
import type { ScenarioResult } from './scenario-result.js';
import { summarizeCaddyErrors } from './caddy-errors.js';

function phaseMs(timings: Array<{ phase: string; ms: number }> | undefined, phase: string): number {
  return timings?.find((t) => t.phase === phase)?.ms ?? 0;
}

export async function runCutoverScenario(docker: Docker, signal: AbortSignal): Promise<ScenarioResult> {
  const scope = testScope('bench-cutover');
  say(`cutover: building images v1, v2 (${scope.prefix}-app)`);
  await Promise.all(['v1', 'v2'].map((v) => buildTestImage(docker, scope, v)));
  // DRAIN_TIMEOUT stays at the document's 30 s: cutover's drain ends when Caddy counts no request in flight.
  const project = await createReferenceShapeProject(docker, scope, { drainTimeout: '30' });
  let load: LoadRun | undefined;
  let routeLoad: RouteLoad | undefined;
  try {
    const request = { pull: 'never' as const, stopOld: false, dryRun: false, verifyUrl: undefined, signal };
    say('  first deploy: cutover deploy v1 (no load)');
    await operate(project, 'deploy v1', (runtime) => deploy(runtime, { ...request, version: 'v1' }));

    load = startBenchLoad(project.caddy.url('/'));
    routeLoad = startRouteLoad(project.caddy.url('').replace(/\/$/, ''), { keepAlive: 2, fresh: 1, maxMs: 120_000 });
    await waitForSteadyLoad(load, signal);
    say('  cutover deploy v2 under load');
    const deployStart = Date.now();
    const v2 = await operate(project, 'deploy v2', (runtime) => deploy(runtime, { ...request, version: 'v2' }));
    await pause(1_500, signal);

    say('  cutover rollback under load');
    const rollbackStart = Date.now();
    const back = await operate(project, 'rollback', (runtime) => rollback(runtime, { pull: 'never', dryRun: false, verifyUrl: undefined, signal }));
    await pause(1_500, signal);
    const samples = await load.stop();
    load = undefined;
    const routeSamples = await routeLoad.stop();
    routeLoad = undefined;
    const end = Date.now();

    const healthyAt = v2.log.events('phase.done').find((e) => e.phase === 'waiting-healthy')?.time;
    const deployShift = readVersionShift(samples, deployStart, rollbackStart, 'v1', 'v2');
    const rollbackShift = readVersionShift(samples, rollbackStart, end, 'v2', 'v1');
    const rollbackAck = back.log.events('switch.acknowledged')[0]?.time;
    const timings = v2.result.timings;
    const notes = [
      `deploy: the switch (read config, one PATCH with If-Match, read back) took ${formatMs(phaseMs(timings, 'switching'))}, the check through Caddy after it ${formatMs(phaseMs(timings, 'verifying'))}; the drain ended when Caddy counted 0 requests in flight to the old color`,
      `rollback: Caddy acknowledged the switch ${formatMs(rollbackAck === undefined ? undefined : rollbackAck - rollbackStart)} after the command started; the whole command (with its drain of v2's slow requests) took ${formatMs(back.ms)}; green was started ${back.result.plan.start.length === 0 ? 'not at all (warm standby reused)' : 'again'}`,
    ];
    const deployAck = v2.log.events('switch.acknowledged')[0]?.time;
    for (const [what, from, to, ack, old] of [
      ['deploy', deployStart, rollbackStart, deployAck, 'v1'],
      ['rollback', rollbackStart, end, rollbackAck, 'v2'],
    ] as const) {
      const figures = routeFigures(
        routeSamples.filter((r) => r.startedAt >= from && r.startedAt < to),
        ack,
        old,
      );
      const cells = figures.map((f) => `${f.route} ${f.requests} req, ${f.failed} failed, ${f.oldAfterSwitch} of ${f.afterSwitch} started after the switch answered by the old ${old}${f.errors.length > 0 ? ` (${f.errors.join(' | ')})` : ''}`);
      notes.push(`${what}, every route (a second load of 3 clients going round the ${figures.length} handlers): ${cells.join('; ')}`);
    }
    const caddyErrors = summarizeCaddyErrors(project.caddy.logs());
    if (caddyErrors.length > 0) notes.push(`Caddy's error log: ${caddyErrors.join('; ')}`);
    if (deployShift.oldAfterNew > 0) notes.push(`deploy: ${deployShift.oldAfterNew} new request(s) got v1 after the first v2 answer`);
    if (rollbackShift.oldAfterNew > 0) notes.push(`rollback: ${rollbackShift.oldAfterNew} new request(s) got v2 after the first v1 answer`);
    return {
      name: 'cutover',
      requests: samples.length,
      load: readLoadShape(samples),
      deploy: countWindow(samples, deployStart, rollbackStart),
      rollback: countWindow(samples, rollbackStart, end),
      mixedMs: { deploy: deployShift.mixedMs, rollback: rollbackShift.mixedMs },
      phases: {
        startMs: phaseMs(timings, 'starting'),
        healthyMs: phaseMs(timings, 'waiting-healthy'),
        switchMs: deployShift.lastOldAt === undefined || healthyAt === undefined ? undefined : Math.max(0, deployShift.lastOldAt - healthyAt),
        drain: `in-flight 0 after ${formatMs(phaseMs(timings, 'draining'))}`,
        totalMs: v2.ms,
      },
      rollbackMs: rollbackShift.lastOldAt === undefined ? 0 : Math.max(0, rollbackShift.lastOldAt - rollbackStart),
      notes,
    };
  } finally {
    await routeLoad?.stop();
    await tearDownScenario(docker, scope, project, load);
  }
}
