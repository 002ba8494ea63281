/**
 * `npm run demo` (scripts/demo.sh runs this after preparing the machine): the
 * repository's own stack (compose.yml, compose.blue.yml, compose.green.yml,
 * caddy/Caddyfile) with Caddy in a container on the compose network, deployed
 * by the real CLI while a load runs through Caddy. Prints each step, then a
 * report, and leaves the stack running.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDockerClient, dockerEndpointFromEnv } from '../../src/adapters/docker/docker-client.js';
import { loadProject } from '../../src/config/load-project.js';
import { createLogger } from '../../src/log.js';
import { createRuntime } from '../../src/run/runtime.js';
import { waitForHttp } from '../../test/rig/http-get.js';
import { startLoad, type LoadSample } from '../../test/rig/load-client.js';
import { BROKEN_VERSION, buildDemoImages } from './build-demo-images.js';
import { reportBrokenCanary, type BrokenCanaryReport } from './broken-canary-report.js';
import { formatDuration } from '../../src/domain/format-duration.js';
import { renderReport, reportFaults, reportOperation, type OperationReport } from './operation-report.js';
import { DEMO_ROUTES, startRouteLoad, type RouteSample } from './route-load.js';
import { describeRemoved, removeDemoStack } from './remove-demo-stack.js';
import { runCli, type CliRun } from './run-cli.js';
import { showAnswers } from './show-answers.js';
import { startSharedServices } from './start-shared-services.js';
import { sleep } from '../../src/sleep.js';

const repoDir = fileURLToPath(new URL('../..', import.meta.url));
const httpPort = Number(process.env.DEMO_HTTP_PORT ?? 8080);
const adminPort = Number(process.env.DEMO_ADMIN_PORT ?? 2119);
const proxyUrl = `http://127.0.0.1:${httpPort}`;
const adminUrl = `http://127.0.0.1:${adminPort}`;
const globalArgs = ['-C', '.', '--caddy-admin', adminUrl];
const PATHS = DEMO_ROUTES.map((route) => route.path);

class DemoFailed extends Error {}

let stepNumber = 0;
async function step<T>(title: string, work: () => Promise<T>): Promise<T> {
  stepNumber += 1;
  process.stdout.write(`\n━━ ${stepNumber}. ${title}\n`);
  const started = Date.now();
  const result = await work();
  process.stdout.write(`   (${formatDuration(Date.now() - started)})\n`);
  return result;
}

function note(text: string): void {
  process.stdout.write(`   ${text}\n`);
}

/** Fails early, with what to do, when something else holds a port the proxy must publish. */
async function checkPortFree(port: number, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new DemoFailed(error.code === 'EADDRINUSE' ? `127.0.0.1:${port} is in use by another program; free it or run with ${variable}=<another port>` : error.message)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

async function cutover(args: string[]): Promise<CliRun> {
  const run = await runCli(repoDir, globalArgs, args);
  if (run.code !== 0) throw new DemoFailed(`\`${run.command}\` exited with ${run.code}; see its output above`);
  return run;
}

/**
 * Runs a cutover command while a load goes through Caddy; the load goes on a little past the command, so requests after the switch are plenty.
 * Any exit code but `expectedCode` ends the demo.
 */
async function underLoad(args: string[], expectedCode = 0): Promise<{ run: CliRun; samples: LoadSample[]; routeSamples: RouteSample[] }> {
  const load = startLoad({ baseUrl: `${proxyUrl}/`, keepAliveClients: 2, freshClients: 1, slowClients: 2, slowMs: 2000, postEvery: 5, maxDurationMs: 300_000 });
  const routes = startRouteLoad(proxyUrl, { keepAlive: 3, fresh: 1, maxMs: 300_000 });
  const warm = Date.now();
  // Warm up: every kind of request has been answered once, so slow ones are in flight at the switch.
  while (!(load.samples.some((s) => s.kind === 'slow') && load.samples.length >= 30 && routes.samples.length >= 2 * DEMO_ROUTES.length) && Date.now() - warm < 10_000) await sleep(50);
  note(`load through ${proxyUrl}: 2 keep-alive clients, 1 with a new connection per request, 2 sending 2 s requests (GET /version, POST /echo, GET /slow on platform:3000);`);
  note(`and 4 clients (3 keep-alive, 1 new connection per request) going round all ${DEMO_ROUTES.length} routes (${load.samples.length + routes.samples.length} requests so far)`);
  let run: CliRun;
  let samples: LoadSample[];
  let routeSamples: RouteSample[];
  try {
    run = await runCli(repoDir, globalArgs, args);
    const ended = routes.samples.length;
    const until = Date.now() + 5_000;
    // Past the command, so that every route has requests after the switch.
    while (routes.samples.length < ended + 10 * DEMO_ROUTES.length && Date.now() < until) await sleep(20);
  } finally {
    [samples, routeSamples] = await Promise.all([load.stop(), routes.stop()]);
  }
  if (run.code !== expectedCode) throw new DemoFailed(`\`${run.command}\` exited with ${run.code}, not ${expectedCode}; see its output above`);
  return { run, samples, routeSamples };
}

async function main(): Promise<void> {
  const demoStarted = Date.now();
  const docker = createDockerClient(dockerEndpointFromEnv());
  const reports: OperationReport[] = [];

  await step(`build the images offline (the test app as v1, v2, db and a broken ${BROKEN_VERSION}; Caddy from /usr/bin/caddy)`, async () => {
    const images = await buildDemoImages(docker, ['v1', 'v2', 'db', BROKEN_VERSION]);
    for (const image of images) note(`${image.ref.padEnd(28)} ${image.how}`);
  });

  const project = await loadProject({ projectDir: repoDir, env: process.env, variables: { VERSION: 'v1' } });

  await step(`remove what a previous demo left (project ${project.projectName})`, async () => {
    for (const line of describeRemoved(await removeDemoStack(docker, project, { images: false }))) note(line);
  });

  await step('what cutover reads from compose.yml and the color overlays', async () => {
    await cutover(['config', '--version', 'v1']);
  });

  await step('start the shared services (db, proxy) with cutover\'s Docker adapter; there is no docker compose here', async () => {
    await checkPortFree(httpPort, 'DEMO_HTTP_PORT');
    await checkPortFree(adminPort, 'DEMO_ADMIN_PORT');
    const runtime = createRuntime({ projectDir: repoDir, caddyAdmin: adminUrl, env: process.env, logger: createLogger('human') });
    try {
      for (const started of await startSharedServices(runtime, project)) note(`${started.service}: ${started.containers.join(', ')}${started.started ? '' : ' (already there)'}`);
    } finally {
      await runtime.close();
    }
    note(`waiting for Caddy's admin API on ${adminUrl} ...`);
    await waitForHttp(`${adminUrl}/config/`, 30_000);
    note('Caddy is up, proxying to the plain Compose names (platform:3000, ...), which nothing answers yet:');
    await showAnswers(proxyUrl, ['/health', '/version']);
  });

  await step('deploy v1: the first deploy starts blue and points every service at it', async () => {
    reports.push(reportOperation('deploy v1', await cutover(['deploy', 'v1'])));
    await showAnswers(proxyUrl, PATHS);
  });

  await step('deploy v2 while a load runs through Caddy: green starts, one atomic switch, blue drains and stays as standby', async () => {
    const { run, samples, routeSamples } = await underLoad(['deploy', 'v2']);
    reports.push(reportOperation('deploy v2', run, samples, { samples: routeSamples, oldVersion: 'v1' }));
    await showAnswers(proxyUrl, PATHS);
    note('the standby is still reachable with the preview header:');
    await showAnswers(proxyUrl, ['/version'], { 'Cutover-Color': 'blue' });
  });

  if (existsSync(path.join(repoDir, 'src', 'commands', 'rollback.ts'))) {
    await step('rollback while a load runs: traffic goes back to the blue standby in one switch', async () => {
      const { run, samples, routeSamples } = await underLoad(['rollback']);
      reports.push(reportOperation('rollback', run, samples, { samples: routeSamples, oldVersion: 'v2' }));
      await showAnswers(proxyUrl, PATHS);
    });
  } else {
    process.stdout.write('\n   (rollback skipped: this checkout has no `cutover rollback` yet)\n');
  }

  let canary: BrokenCanaryReport | undefined;
  await step(`canary of a broken ${BROKEN_VERSION} under load: it answers 500 to every 2nd GET /version (health, /, POST /echo fine); the real traffic Caddy logs per color must abort it at 10%`, async () => {
    const stepInterval = 15_000;
    const { run, samples, routeSamples } = await underLoad(['deploy', BROKEN_VERSION, '--canary', '10,50', '--step-interval', `${stepInterval / 1000}s`], 14);
    canary = reportBrokenCanary(run, samples, routeSamples, { broken: BROKEN_VERSION, live: 'v1', stepIntervalMs: stepInterval });
    for (const line of canary.lines) note(line);
    await showAnswers(proxyUrl, PATHS);
  });

  if (existsSync(path.join(repoDir, 'src', 'commands', 'status.ts'))) {
    await step('the stack as `cutover status` sees it', async () => {
      const run = await runCli(repoDir, globalArgs, ['status']);
      if (run.code !== 0) note(`(status exited with ${run.code})`);
    });
  }

  process.stdout.write('\n━━ report\n');
  for (const report of reports) for (const line of renderReport(report)) note(line);
  const failed = reports.reduce((sum, r) => sum + reportFaults(r).failed, 0);
  const old = reports.reduce((sum, r) => sum + reportFaults(r).oldAfterSwitch, 0);
  const noRoute = reports.flatMap((r) => (r.routes ?? []).filter((route) => route.afterSwitch === 0).map((route) => `${r.title} ${route.route}`));
  note(`demo: ${formatDuration(Date.now() - demoStarted)} (after preparing the machine); ${failed === 0 ? 'no request failed' : `${failed} request(s) FAILED`}; ${old === 0 ? 'no request to the old version after a switch' : `${old} request(s) reached the OLD version after a switch`}, on every route`);
  if (noRoute.length > 0) note(`NOT SHOWN: no request after the switch on ${noRoute.join(', ')}`);
  for (const line of canary?.lines ?? []) note(line);
  for (const fault of canary?.faults ?? []) note(`CANARY FAULT: ${fault}`);

  process.stdout.write('\n━━ the stack is still running; look at it (from this directory):\n');
  const look: Array<[string, string]> = [
    [`curl -s ${proxyUrl}/version`, 'the live color answers'],
    [`curl -s -H 'Cutover-Color: green' ${proxyUrl}/version`, 'preview a color (blue too)'],
    [`curl -s ${adminUrl}/reverse_proxy/upstreams`, "Caddy's upstreams and their in-flight counts"],
    ['cat caddy/cutover-state.json', "cutover's state file"],
  ];
  if (existsSync(path.join(repoDir, 'src', 'commands', 'status.ts'))) look.push([`npm run cutover -- --caddy-admin ${adminUrl} status`, 'active color, containers, upstreams, drift']);
  look.push([`npm run cutover -- --caddy-admin ${adminUrl} deploy v2`, 'deploy again (images v1 and v2 exist)']);
  const width = Math.max(...look.map(([command]) => command.length));
  for (const [command, what] of look) note(`${command.padEnd(width)}  # ${what}`);
  process.stdout.write('\n   remove it: bash scripts/demo.sh down   (add --images to remove the demo images too)\n');
  if (failed > 0 || old > 0 || noRoute.length > 0 || canary === undefined || canary.faults.length > 0) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  process.stderr.write(`\ndemo failed: ${error instanceof DemoFailed ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.stderr.write('the stack is left as it is for a look; remove it with: bash scripts/demo.sh down\n');
  process.exitCode = 1;
}
