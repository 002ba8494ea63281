/**
 * `cutover init` on a plain Compose project (no overlays) with a real Caddy
 * on the host, then `cutover deploy` with no other edit, on the real engine;
 * then `cutover logs` on the containers those deploys made (one project for
 * both: the deploys are what logs needs). Refusals change nothing, a second
 * init changes nothing, a hand-edited overlay is kept unless --force.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { appComposeService } from '../rig/app-compose-service.js';
import { startCaddy, type RunningCaddy } from '../rig/caddy-runner.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { freePort } from '../rig/free-port.js';
import { httpGet } from '../rig/http-get.js';
import { runCli, spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { APP_PORT, buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('init');
const docker = rigDockerClient();
let dir: string;
let caddy: RunningCaddy;
let plainPort: number;
let caddyfileText: string;

const cli = (args: string[]) => runCli(['-C', dir, '--caddy-admin', caddy.adminAddress, ...args]);
const read = (file: string) => readFile(path.join(dir, file), 'utf8');
const files = async () => (await readdir(dir)).sort();

before(async () => {
  for (const version of ['v1', 'v2']) await buildTestImage(docker, scope, version);
  const network = scope.name('net');
  await docker.createNetwork({ Name: network, Labels: scope.labels });
  dir = await mkdtemp(path.join(os.tmpdir(), `${scope.prefix}-project-`));
  plainPort = await freePort();
  // A plain project: one app published on the host for a Caddy on the host, no overlays.
  await writeFile(
    path.join(dir, 'compose.yml'),
    `name: ${scope.prefix}\nservices:\n${appComposeService(scope, 'web')}\n    ports:\n      - "127.0.0.1:${plainPort}:${APP_PORT}"\nnetworks:\n  net:\n    external: true\n    name: ${network}\n`,
  );
  await writeFile(path.join(dir, '.env'), 'DRAIN_TIMEOUT=10\nHEALTH_CHECK_TIMEOUT=90\nHEALTH_CHECK_INTERVAL=1\n');
  await mkdir(path.join(dir, 'caddy'));
  // The runner picks Caddy's HTTP port; the project's Caddyfile then names the same one.
  const template = `:{{HTTP_PORT}} {\n\treverse_proxy 127.0.0.1:${plainPort}\n}\n`;
  caddy = await startCaddy({ caddyfile: template });
  caddyfileText = template.replace('{{HTTP_PORT}}', String(caddy.httpPort));
  await writeFile(path.join(dir, 'caddy', 'Caddyfile'), caddyfileText);
});

after(async () => {
  await caddy?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

describe('cutover init, then deploy with no other edit', { concurrency: false }, () => {
  test('bad input is refused with one line and writes nothing', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['init', 'nope'], 3, /"nope" is not a service of compose.yml \(services: web\)/],
      [['init', '--caddy-on', 'moon'], 2, /--caddy-on moon: expected host or network/],
      [['init', '--write-caddyfile', '--caddyfile', 'missing/Caddyfile'], 3, /--caddyfile missing\/Caddyfile: no such file/],
    ];
    for (const [args, code, message] of cases) {
      const run = await cli(args);
      assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr.split('\n')[0] ?? '', message);
    }
    assert.deepEqual(await files(), ['.env', 'caddy', 'compose.yml']);
  });

  test('init writes both overlays, says what it assumed, shows the Caddyfile change without applying it', async () => {
    const run = await cli(['init']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /compose\.blue\.yml: written/);
    assert.match(run.stdout, /compose\.green\.yml: written/);
    assert.match(run.stdout, /colored: web \(the services the Caddyfile proxies to\)/);
    assert.match(run.stdout, /Caddy runs on the host/);
    assert.match(run.stdout, new RegExp(`-\\treverse_proxy 127\\.0\\.0\\.1:${plainPort}`));
    assert.match(run.stdout, /\+\t\timport cutover-web-3000/);
    assert.match(run.stdout, /not applied: run cutover init --write-caddyfile/);
    assert.equal(await read('caddy/Caddyfile'), caddyfileText, 'the Caddyfile is not touched without --write-caddyfile');
    const blue = await read('compose.blue.yml');
    assert.match(blue, new RegExp(`container_name: ${scope.prefix}-web-blue`));
    assert.match(blue, /ports: !override\n {6}- "127\.0\.0\.1::3000"/);
    assert.match(blue, /aliases:\n {10}- web-blue/);
  });

  test('init again changes nothing; a hand-edited overlay is kept unless --force', async () => {
    const before = { blue: await read('compose.blue.yml'), green: await read('compose.green.yml') };
    const again = await cli(['init']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /compose\.blue\.yml: unchanged/);
    assert.deepEqual({ blue: await read('compose.blue.yml'), green: await read('compose.green.yml') }, before);

    const edited = `${before.blue}# my own note\n`;
    await writeFile(path.join(dir, 'compose.blue.yml'), edited);
    const refused = await cli(['init']);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /compose\.blue\.yml: already exists and differs from what init would write: left as it is/);
    assert.equal(await read('compose.blue.yml'), edited);

    const forced = await cli(['init', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /compose\.blue\.yml: replaced \(the old one kept as compose\.blue\.yml\.before-cutover-init\)/);
    assert.equal(await read('compose.blue.yml'), before.blue);
    assert.equal(await read('compose.blue.yml.before-cutover-init'), edited);
  });

  test('--write-caddyfile wires the Caddyfile (backup kept) and Caddy 2.6.2 reads the result with the same upstream', async () => {
    const run = await cli(['init', '--write-caddyfile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /caddy\/Caddyfile: written, the old one kept as caddy\/Caddyfile\.before-cutover-init; caddy\/cutover-upstreams\.caddy written/);
    assert.equal(await read('caddy/Caddyfile.before-cutover-init'), caddyfileText);
    const { stdout } = await promisify(execFile)('caddy', ['adapt', '--config', path.join(dir, 'caddy', 'Caddyfile')], { cwd: os.tmpdir() });
    const adapted = JSON.stringify(JSON.parse(stdout));
    assert.match(adapted, new RegExp(`"upstreams":\\[\\{"dial":"127\\.0\\.0\\.1:${plainPort}"\\}\\]`));
    const again = await cli(['init', '--write-caddyfile']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /caddy\/Caddyfile: no change \(the Caddyfile already imports cutover-upstreams\.caddy/);
  });

  test('deploy v1 then v2 work with no other edit', async () => {
    for (const version of ['v1', 'v2']) {
      const run = await cli(['deploy', version]);
      assert.equal(run.code, 0, `deploy ${version}: ${run.stderr}`);
      for (let i = 0; i < 5; i += 1) assert.deepEqual(await httpGet(caddy.url('/version')).then((a) => [a.status, a.body]), [200, version]);
    }
    assert.match(await read('caddy/cutover-upstreams.caddy'), /\(cutover-web-3000\) \{\n\tto 127\.0\.0\.1:\d+\n\}/, 'the snippets the wired Caddyfile imports follow the switch');
  });
});

describe('cutover logs', { concurrency: false }, () => {
  const names = async () => {
    const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${scope.prefix}`] } });
    return Object.fromEntries(list.map((c) => [c.Labels['cutover.color'] as string, { id: c.Id, name: (c.Names[0] ?? '').slice(1), version: c.Labels['cutover.version'] as string }]));
  };

  test('both colors, each line prefixed by its container; --color narrows', async () => {
    const containers = await names();
    const all = await cli(['logs', 'web']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(Object.values(containers).map((c) => c.version).sort(), ['v1', 'v2'], 'both colors run, one per version');
    for (const c of Object.values(containers)) assert.match(all.stdout, new RegExp(`^${c.name} +\\| app ${c.version} listening on`, 'm'));
    const one = await cli(['logs', '--color', 'green', '--tail', '1']);
    assert.equal(one.code, 0, one.stderr);
    const lines = one.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.ok(lines[0]?.startsWith(`${containers.green?.name} |`), one.stdout);
  });

  test('--follow prints new lines as they come, until Ctrl-C', async () => {
    const containers = await names();
    const live = (await httpGet(caddy.url('/version'))).body === 'v2' ? 'green' : 'blue';
    const idle = live === 'green' ? 'blue' : 'green';
    // Both colors are followed: stopping the idle one ends its stream, the live one's goes on, so
    // the process is surely still reading when Ctrl-C comes (following the idle color alone let its
    // stop end the command just as the test sent SIGINT, and a signal during exit kills by default).
    const follow = spawnCli(['-C', dir, 'logs', 'web', '--follow', '--tail', '1']);
    let out = '';
    follow.child.stdout.removeAllListeners('data');
    follow.child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    try {
      // Its last lines show logs is attached; stopping the idle color then makes its app log the signal: a line written after that.
      const idleContainer = containers[idle] as { id: string; name: string };
      await waitUntil('logs to print the last line of both colors', 60_000, () => (out.split('\n').filter((l) => l.includes(' | ')).length >= 2 ? true : undefined));
      assert.doesNotMatch(out, /SIGTERM/);
      await docker.getContainer(idleContainer.id).stop({ t: 10 });
      const stopLine = new RegExp(`^${idleContainer.name} +\\| SIGTERM: stop accepting`, 'm');
      await waitUntil('the stop to show in the followed log', 60_000, () => (stopLine.test(out) ? true : undefined));
      assert.equal(follow.child.exitCode, null, 'logs --follow must keep reading the live color after the idle one stopped');
    } finally {
      follow.child.kill('SIGINT');
    }
    assert.equal(await follow.done, 0, follow.stderr());
  });

  test('a service that is not colored is refused (exit 2)', async () => {
    const run = await cli(['logs', 'proxy']);
    assert.equal(run.code, 2);
    assert.match(run.stderr.split('\n')[0] ?? '', /"proxy" is not a colored service; choose one of web/);
  });
});
