import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import type { LockInfo } from '../../src/state/deploy-lock.js';

/**
 * Two real processes race for the same stale lock, round after round. Each
 * round exactly one must win; the other must get LockHeldError. In-process
 * concurrency would not do: the race is between separate pids and syscalls.
 */

const ROUNDS = 25;

// The child: loads the lock module, then obeys `go` (try to acquire) and `release` lines on stdin.
const CHILD = `
import { createInterface } from 'node:readline';
const { acquireLock } = await import(process.env.LOCK_MODULE);
let lock = null;
const say = (value) => process.stdout.write(JSON.stringify(value) + '\\n');
say({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'go') {
    try {
      lock = await acquireLock(process.env.LOCK_DIR, { command: 'deploy' });
      say({ won: true, replacedStale: lock.replacedStale });
    } catch (error) {
      say({ won: false, error: error.name, message: error.message });
    }
  } else if (line === 'release') {
    await lock?.release();
    lock = null;
    say({ released: true });
  }
}
`;

type Child = ChildProcessByStdio<Writable, Readable, null>;

/** Reads a child's stdout one JSON line at a time; fails instead of hanging if the child dies. */
function lineReader(child: Child): () => Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const waiters: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  let closed = false;
  const input = createInterface({ input: child.stdout });
  input.on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(line);
    else lines.push(line);
  });
  input.on('close', () => {
    closed = true;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`child ${child.pid} closed its output (exit ${child.exitCode})`));
  });
  return async () => {
    const line =
      lines.shift() ??
      (await new Promise<string>((resolve, reject) => {
        if (closed) reject(new Error(`child ${child.pid} closed its output (exit ${child.exitCode})`));
        else waiters.push({ resolve, reject });
      }));
    return JSON.parse(line) as Record<string, unknown>;
  };
}

test(`two processes taking over the same stale lock: exactly one wins, ${ROUNDS} rounds`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-lock-race-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  const exited = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(exited, 'exit');
  const deadPid = exited.pid;
  assert.ok(deadPid !== undefined);

  const env = { ...process.env, LOCK_DIR: dir, LOCK_MODULE: new URL('../../src/state/deploy-lock.ts', import.meta.url).href };
  const tsx = import.meta.resolve('tsx');
  const children: Child[] = [1, 2].map(() =>
    spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', CHILD], { env, stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  t.after(() => {
    for (const child of children) child.stdin.end();
  });
  const next = children.map(lineReader);
  await Promise.all(next.map((read) => read())); // both ready: modules loaded, so `go` starts a real race

  let guardSeen = 0;
  for (let round = 1; round <= ROUNDS; round += 1) {
    const stale: LockInfo = { pid: deadPid, host: hostname(), command: 'deploy', startedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, round)).toISOString() };
    await writeFile(join(dir, 'cutover.lock'), JSON.stringify(stale));

    for (const child of children) child.stdin.write('go\n');
    const results = await Promise.all(next.map((read) => read()));

    const winners = results.filter((result) => result.won === true);
    const losers = results.filter((result) => result.won === false);
    assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results)}`);
    assert.equal(losers.length, 1, `round ${round}: ${JSON.stringify(results)}`);
    assert.deepEqual(winners[0]?.replacedStale, stale, `round ${round}: the winner reports the stale lock it replaced`);
    assert.equal(losers[0]?.error, 'LockHeldError', `round ${round}: ${JSON.stringify(losers[0])}`);
    if (String(losers[0]?.message).includes('is taking over')) guardSeen += 1;

    for (const child of children) child.stdin.write('release\n');
    await Promise.all(next.map((read) => read()));
    assert.deepEqual(await readdir(dir), [], `round ${round}: no lock, guard or temp file left`);
  }
  t.diagnostic(`the loser met the takeover guard in ${guardSeen} of ${ROUNDS} rounds`);
});
