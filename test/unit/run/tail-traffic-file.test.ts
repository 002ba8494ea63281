import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { tailTrafficFile } from '../../../src/run/tail-traffic-file.js';

function line(uri: string, status = 200): string {
  return `${JSON.stringify({ level: 'debug', ts: 1796020652.5, logger: 'http.handlers.reverse_proxy', msg: 'upstream roundtrip', upstream: '127.0.0.1:3001', duration: 0.01, request: { method: 'GET', uri, headers: {} }, status })}\n`;
}

test('reads from the end as it was when opened, whole lines only, follows a roll, counts unparseable lines', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tail-traffic-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cutover-traffic.log');
  await writeFile(file, line('/before'));
  const reader = await tailTrafficFile(file);
  t.after(() => reader.close());
  assert.deepEqual((await reader.take()).roundtrips, [], 'lines of an earlier run are not read');

  const half = line('/split');
  await appendFile(file, line('/a') + half.slice(0, 20));
  assert.deepEqual((await reader.take()).roundtrips.map((r) => r.path), ['/a'], 'the unfinished line waits');
  await appendFile(file, `${half.slice(20)}not json\n`);
  const piece = await reader.take();
  assert.deepEqual([piece.roundtrips.map((r) => r.path), piece.unparseable, piece.firstUnparseable], [['/split'], 1, 'not JSON']);

  // Caddy rolls: the file is renamed (its last lines still to read) and a new one started.
  await appendFile(file, line('/last-of-old'));
  await rename(file, path.join(dir, 'cutover-traffic-2026.log'));
  await writeFile(file, line('/first-of-new', 500));
  const rolled = await reader.take();
  assert.deepEqual(rolled.roundtrips.map((r) => [r.path, r.status]), [['/last-of-old', 200], ['/first-of-new', 500]]);
});

test('a file that does not exist yet (Caddy opens it at its first line) is read from its start once it does', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tail-traffic-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cutover-traffic.log');
  const reader = await tailTrafficFile(file);
  t.after(() => reader.close());
  assert.deepEqual((await reader.take()).roundtrips, []);
  await writeFile(file, line('/one') + line('/two'));
  assert.deepEqual((await reader.take()).roundtrips.map((r) => r.path), ['/one', '/two']);
});
