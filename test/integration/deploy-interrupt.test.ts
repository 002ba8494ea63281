/**
 * Ctrl-C (or SIGHUP, a dropped SSH session) during a deploy undoes what the
 * deploy did: the new containers are removed, traffic stays where it was, and
 * the state file records the interrupted deploy as failed with no operation
 * left open. A closed output pipe (`| head -1`) never stops an operation
 * halfway: it goes on to its end with its own exit code.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { rigDockerClient } from '../rig/docker-client.js';
import { createDeployedHostModeProject } from '../rig/deployed-host-mode-project.js';
import type { HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { spawn } from 'node:child_process';
import { cliCommandLine, spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('interrupt');
const docker = rigDockerClient();
let project: HostModeProject;

before(async () => {
  project = await createDeployedHostModeProject(docker, scope, ['v1', 'v2']);
});
after(async () => {
  await project?.remove();
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

async function names(): Promise<string[]> {
  return (await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } })).map((c) => (c.Names[0] ?? '').slice(1)).sort();
}

async function readState(): Promise<{ operation: unknown; active: { color: string; version: string }; history: Array<{ outcome: string; reason?: string; version: string }> }> {
  return JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'));
}

// SIGHUP is what a dropped SSH session sends: it must undo exactly like Ctrl-C.
for (const signal of ['SIGINT', 'SIGHUP'] as const) {
  test(`${signal} while waiting for health removes the new color and leaves traffic on the old one`, async () => {
    // v1 is live (deployed in before()).
    const before = await names();
    const historyBefore = (await readState()).history.length;
    // v2 takes a minute to listen, so the deploy sits in waiting-healthy.
    const run = spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, '--log-format', 'json', 'deploy', 'v2'], {
      env: { START_DELAY_MS: '60000', HEALTH_CHECK_TIMEOUT: '120' },
    });
    await waitUntil('the deploy to wait for health', 30_000, () => (run.stderr().includes('"phase":"waiting-healthy"') ? true : undefined));
    assert.equal((await names()).length, 4, 'v2 containers were started');
    run.child.kill(signal);
    const code = await run.done;

    assert.equal(code, 1, run.stderr());
    assert.match(run.stderr(), /"event":"phase.undo"/);
    assert.match(run.stderr(), new RegExp(`interrupted by ${signal}`));
    assert.deepEqual(await names(), before);
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v1');
    const state = await readState();
    assert.equal(state.operation, null);
    assert.equal(state.history.length, historyBefore + 1);
    assert.deepEqual([state.active.version, state.history.at(-1)?.outcome, state.history.at(-1)?.reason], ['v1', 'failed', `interrupted by ${signal}`]);
    await assert.rejects(readFile(path.join(project.dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' });
  });
}

/** `cutover <args> 2>&1 | head -1` in a real shell: the first line, then the CLI's own exit code. */
function runThroughHead(args: string[]): Promise<{ firstLine: string; code: number; rest: string }> {
  const quoted = cliCommandLine(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, ...args]).map((part) => `'${part.replace(/'/g, "'\\''")}'`);
  const script = `${quoted.join(' ')} 2>&1 | head -1; echo "cutover exited \${PIPESTATUS[0]}"`;
  return new Promise((resolve, reject) => {
    const shell = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    shell.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    shell.on('error', reject);
    shell.on('close', () => {
      const lines = out.trimEnd().split('\n');
      const last = /^cutover exited (\d+)$/.exec(lines.at(-1) ?? '');
      if (last === null) return reject(new Error(`no exit code in: ${out}`));
      resolve({ firstLine: lines[0] ?? '', code: Number(last[1]), rest: lines.slice(1, -1).join('\n') });
    });
  });
}

test('a deploy whose output pipe closes after its first line (| head -1) completes: traffic, state and lock as after any deploy', async () => {
  const result = await runThroughHead(['deploy', 'v2']);
  assert.equal(result.code, 0, `first line: ${result.firstLine}`);
  assert.equal(result.rest, '', 'head printed one line only');
  assert.notEqual(result.firstLine, '');
  assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2');
  const state = await readState();
  assert.equal(state.operation, null);
  assert.deepEqual([state.active.version, state.history.at(-1)?.version, state.history.at(-1)?.outcome], ['v2', 'v2', 'succeeded']);
  await assert.rejects(readFile(path.join(project.dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' });
});

test('the same with JSON logs (written by pino, not through process.stderr): a rollback completes', async () => {
  const result = await runThroughHead(['--log-format', 'json', 'rollback']);
  assert.equal(result.code, 0, `first line: ${result.firstLine}`);
  assert.match(result.firstLine, /^\{"level":/);
  assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v1');
  const state = await readState();
  assert.equal(state.operation, null);
  assert.deepEqual([state.active.version, state.history.at(-1)?.outcome], ['v1', 'succeeded']);
  await assert.rejects(readFile(path.join(project.dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' });
});
