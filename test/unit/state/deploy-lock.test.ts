import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LockHeldError } from '../../../src/errors.js';
import { acquireLock, describeLockHolder, readLock, type LockInfo } from '../../../src/state/deploy-lock.js';

// Messages name the lock relative to the working directory, so each test runs
// from its own temp project directory and uses its `caddy/` like cutover does.
const originalCwd = process.cwd();
let root = '';
let counter = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cutover-lock-'));
});
after(async () => {
  process.chdir(originalCwd);
  await rm(root, { recursive: true, force: true });
});

async function freshCaddyDir(): Promise<string> {
  counter += 1;
  const project = join(root, `p${counter}`);
  await mkdir(join(project, 'caddy'), { recursive: true });
  process.chdir(project);
  return join(project, 'caddy');
}

/** The pid of a process that has existed and is gone (exited and reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.ok(child.pid !== undefined);
  return child.pid;
}

function holder(fields: Partial<LockInfo>): LockInfo {
  return { pid: process.pid, host: hostname(), command: 'deploy', startedAt: new Date().toISOString(), ...fields };
}

async function writeLockFile(dir: string, info: unknown, name = 'cutover.lock'): Promise<void> {
  await writeFile(join(dir, name), typeof info === 'string' ? info : JSON.stringify(info));
}

/** Asserts that `promise` rejects with a LockHeldError with this message (and hint when given). */
async function rejectsHeld(promise: Promise<unknown>, message: string | RegExp, hint?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LockHeldError, `expected LockHeldError, got ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    if (hint !== undefined) assert.equal(error.hint, hint);
    assert.equal(error.exitCode, 10);
    return true;
  });
}

describe('acquireLock', () => {
  test('creates cutover.lock with pid, host, command and start time, and nothing else', async () => {
    const dir = await freshCaddyDir();
    const now = new Date('2024-05-01T12:00:03.000Z');
    const lock = await acquireLock(dir, { command: 'deploy', now });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'cutover.lock'), 'utf8')), {
      pid: process.pid,
      host: hostname(),
      command: 'deploy',
      startedAt: '2024-05-01T12:00:03.000Z',
    });
    assert.equal(lock.replacedStale, null);
    assert.deepEqual(await readdir(dir), ['cutover.lock']);
    await lock.release();
  });

  test('is exclusive: a second acquire names the holder, its pid and the lock file', async () => {
    const dir = await freshCaddyDir();
    const startedAt = new Date();
    const lock = await acquireLock(dir, { command: 'deploy', now: startedAt });
    const since = describeLockHolder(lock.info, startedAt).split(', since ')[1];
    await rejectsHeld(
      acquireLock(dir, { command: 'rollback', now: startedAt }),
      `another cutover (deploy, pid ${process.pid} on host ${hostname()}, since ${since}) holds caddy/cutover.lock`,
      'wait for it, or if that process is gone remove caddy/cutover.lock',
    );
    await lock.release();
  });

  test('release removes the lock, is idempotent, and the lock can be taken again', async () => {
    const dir = await freshCaddyDir();
    const first = await acquireLock(dir, { command: 'deploy' });
    await first.release();
    await first.release();
    assert.deepEqual(await readdir(dir), []);
    const second = await acquireLock(dir, { command: 'rollback' });
    assert.equal(second.info.command, 'rollback');
    await second.release();
  });

  test("release leaves someone else's lock alone", async () => {
    const dir = await freshCaddyDir();
    const lock = await acquireLock(dir, { command: 'deploy' });
    // Someone removed ours by hand and another cutover took it.
    const theirs = holder({ command: 'cleanup', startedAt: '2024-01-01T00:00:00.000Z' });
    await writeLockFile(dir, theirs);
    await lock.release();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'cutover.lock'), 'utf8')), theirs);
  });

  test('a stale lock (holder on this host, pid gone) is taken over and reported', async () => {
    const dir = await freshCaddyDir();
    const stale = holder({ pid: await deadPid(), command: 'deploy', startedAt: '2024-05-01T12:00:03.000Z' });
    await writeLockFile(dir, stale);
    const lock = await acquireLock(dir, { command: 'rollback' });
    assert.deepEqual(lock.replacedStale, stale);
    assert.equal(lock.info.pid, process.pid);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'cutover.lock'), 'utf8')), lock.info);
    assert.deepEqual(await readdir(dir), ['cutover.lock'], 'no takeover guard or temp file left');
    await lock.release();
  });

  test('a lock held on another host is never taken over, even with a pid that does not exist here', async () => {
    const dir = await freshCaddyDir();
    const remote = holder({ pid: await deadPid(), host: 'other-host.example' });
    await writeLockFile(dir, remote);
    await rejectsHeld(acquireLock(dir, { command: 'deploy' }), new RegExp(`^another cutover \\(deploy, pid ${remote.pid} on host other-host\\.example, since .+\\) holds caddy/cutover\\.lock$`));
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'cutover.lock'), 'utf8')), remote);
  });

  const unreadable: Array<[string, string, string]> = [
    ['not JSON', '{"pid": 12', 'caddy/cutover.lock exists but is unreadable (not valid JSON)'],
    ['empty', '', 'caddy/cutover.lock exists but is unreadable (not valid JSON)'],
    ['no pid', JSON.stringify({ host: 'h', command: 'deploy', startedAt: '2024-05-01T12:00:03.000Z' }), 'caddy/cutover.lock exists but is unreadable (pid: Invalid input: expected number, received undefined)'],
    ['pid 0', JSON.stringify({ pid: 0, host: 'h', command: 'deploy', startedAt: '2024-05-01T12:00:03.000Z' }), 'caddy/cutover.lock exists but is unreadable (pid: Too small: expected number to be >0)'],
    ['an array', '[]', 'caddy/cutover.lock exists but is unreadable (content: Invalid input: expected object, received array)'],
  ];
  for (const [name, content, message] of unreadable) {
    test(`a damaged lock file (${name}) is reported, not taken over`, async () => {
      const dir = await freshCaddyDir();
      await writeLockFile(dir, content);
      await rejectsHeld(acquireLock(dir, { command: 'deploy' }), message, 'if no cutover is running, remove caddy/cutover.lock');
      assert.equal(await readFile(join(dir, 'cutover.lock'), 'utf8'), content);
    });
  }

  test('a takeover guard left by a dead taker stops the takeover with instructions', async () => {
    const dir = await freshCaddyDir();
    const pid = await deadPid();
    await writeLockFile(dir, holder({ pid }));
    await writeLockFile(dir, holder({ pid, command: 'deploy' }), 'cutover.lock.takeover');
    await rejectsHeld(
      acquireLock(dir, { command: 'deploy' }),
      `a takeover of the stale caddy/cutover.lock by pid ${pid} was interrupted`,
      'if no cutover is running, remove caddy/cutover.lock.takeover and caddy/cutover.lock',
    );
  });

  test('a takeover in progress by a live process makes the other taker back off', async () => {
    const dir = await freshCaddyDir();
    await writeLockFile(dir, holder({ pid: await deadPid() }));
    await writeLockFile(dir, holder({ command: 'rollback' }), 'cutover.lock.takeover');
    await rejectsHeld(
      acquireLock(dir, { command: 'deploy' }),
      new RegExp(`^another cutover \\(rollback, pid ${process.pid} on host .+\\) is taking over the stale caddy/cutover\\.lock$`),
    );
  });
});

describe('stray temp files', () => {
  test('taking the lock removes the temp files dead writers left, and keeps a live writer\'s and every other file', async () => {
    const dir = await freshCaddyDir();
    const dead = await deadPid();
    const left = [`.cutover-state.json.${dead}.0a1b2c3d.tmp`, `cutover.lock.${dead}.12345678.tmp`];
    const kept = [`.cutover-state.json.${process.pid}.deadbeef.tmp`, 'cutover-state.json', 'Caddyfile', `notes.${dead}.0a1b2c3d.tmp`];
    for (const name of [...left, ...kept]) await writeFile(join(dir, name), '{}');
    const lock = await acquireLock(dir, { command: 'deploy' });
    try {
      assert.deepEqual((await readdir(dir)).sort(), [...kept, 'cutover.lock'].sort());
    } finally {
      await lock.release();
    }
  });
});

describe('readLock', () => {
  test('free, held by a live or dead process here, held elsewhere, unreadable', async () => {
    const dir = await freshCaddyDir();
    assert.deepEqual(await readLock(dir), { kind: 'free' });

    const lock = await acquireLock(dir, { command: 'deploy' });
    assert.deepEqual(await readLock(dir), { kind: 'held', holder: lock.info, liveness: 'alive' });
    await lock.release();

    const dead = holder({ pid: await deadPid() });
    await writeLockFile(dir, dead);
    assert.deepEqual(await readLock(dir), { kind: 'held', holder: dead, liveness: 'dead' });

    const remote = holder({ host: 'other-host.example' });
    await writeLockFile(dir, remote);
    assert.deepEqual(await readLock(dir), { kind: 'held', holder: remote, liveness: 'unknown' });

    await writeLockFile(dir, 'garbage');
    assert.deepEqual(await readLock(dir), { kind: 'unreadable', problem: 'not valid JSON' });
  });
});

describe('describeLockHolder', () => {
  const info = holder({ pid: 1234, host: 'web1', command: 'deploy', startedAt: new Date(2024, 4, 1, 12, 0, 3).toISOString() });

  test('the local time only, on the same day', () => {
    assert.equal(describeLockHolder(info, new Date(2024, 4, 1, 18, 30, 0)), 'deploy, pid 1234 on host web1, since 12:00:03');
  });

  test('with the date, on another day', () => {
    assert.equal(describeLockHolder(info, new Date(2024, 4, 2, 9, 0, 0)), 'deploy, pid 1234 on host web1, since 2024-05-01 12:00:03');
  });
});
