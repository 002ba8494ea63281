import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StateInvalidError } from '../../../src/errors.js';
import { displayPath } from '../../../src/state/state-paths.js';
import { readState, writeState } from '../../../src/state/state-store.js';
import { emptyState } from '../../../src/state/state-transitions.js';
import { fullState } from './state-fixtures.js';

// Messages name the file relative to the working directory, so the tests run
// from a temp project directory and use its `caddy/` like cutover does.
const originalCwd = process.cwd();
let project = '';
let caddyDir = '';
let counter = 0;

before(async () => {
  project = await mkdtemp(join(tmpdir(), 'cutover-state-store-'));
  process.chdir(project);
});
after(async () => {
  process.chdir(originalCwd);
  await rm(project, { recursive: true, force: true });
});

/** A fresh empty `caddy/` directory per test, absolute like cutover passes it. */
async function freshCaddyDir(): Promise<string> {
  counter += 1;
  const sub = join(project, `p${counter}`);
  caddyDir = join(sub, 'caddy');
  await mkdir(caddyDir, { recursive: true });
  process.chdir(sub);
  return caddyDir;
}

async function expectInvalid(dir: string, message: string, hint = 'fix or move it aside; `cutover status` shows what Caddy really does'): Promise<void> {
  await assert.rejects(readState(dir), (error: unknown) => {
    assert.ok(error instanceof StateInvalidError);
    assert.equal(error.message, message);
    assert.equal(error.hint, hint);
    assert.equal(error.exitCode, 11);
    return true;
  });
}

describe('readState / writeState', () => {
  test('no state file: null', async () => {
    assert.equal(await readState(await freshCaddyDir()), null);
  });

  test('what is written is read back, and nothing else is left in the directory', async () => {
    const dir = await freshCaddyDir();
    await writeState(dir, emptyState('tale'));
    await writeState(dir, fullState);
    assert.deepEqual(await readState(dir), fullState);
    assert.deepEqual(await readdir(dir), ['cutover-state.json']);
    const text = await readFile(join(dir, 'cutover-state.json'), 'utf8');
    assert.ok(text.endsWith('}\n'), 'the file ends with a newline');
  });

  test('truncated JSON: one line naming the file', async () => {
    const dir = await freshCaddyDir();
    await writeFile(join(dir, 'cutover-state.json'), '{"schemaVersion": 1, "project": "ta');
    await expectInvalid(dir, 'caddy/cutover-state.json is not valid JSON: Unterminated string in JSON at position 35');
  });

  test('an empty file is reported as invalid JSON', async () => {
    const dir = await freshCaddyDir();
    await writeFile(join(dir, 'cutover-state.json'), '');
    await expectInvalid(dir, 'caddy/cutover-state.json is not valid JSON: Unexpected end of JSON input');
  });

  test('a JSON error message that quotes a multi-line piece of the file stays on one line', async () => {
    const dir = await freshCaddyDir();
    await writeFile(join(dir, 'cutover-state.json'), '{\n"a":\n x\n}');
    await assert.rejects(readState(dir), (error: unknown) => {
      assert.ok(error instanceof StateInvalidError);
      assert.match(error.message, /^caddy\/cutover-state\.json is not valid JSON: /);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  test('schema mismatch: the file and the path of the first problem', async () => {
    const dir = await freshCaddyDir();
    const bad = { ...fullState, standby: { color: 'green' } };
    await writeFile(join(dir, 'cutover-state.json'), JSON.stringify(bad));
    await expectInvalid(dir, 'caddy/cutover-state.json is invalid at standby.version: Invalid input: expected string, received undefined');
  });

  test('a file from a newer cutover is refused', async () => {
    const dir = await freshCaddyDir();
    await writeFile(join(dir, 'cutover-state.json'), JSON.stringify({ ...fullState, schemaVersion: 7 }));
    await expectInvalid(
      dir,
      'caddy/cutover-state.json was written by a newer cutover (schema version 7, this one reads up to 2); upgrade',
      'upgrade cutover; an older one must not rewrite this file, it would drop what it does not know',
    );
  });

  test('writing an invalid state throws and keeps the old file intact', async () => {
    const dir = await freshCaddyDir();
    await writeState(dir, fullState);
    const broken = { ...fullState, project: '' };
    await assert.rejects(writeState(dir, broken));
    assert.deepEqual(await readState(dir), fullState);
    assert.deepEqual(await readdir(dir), ['cutover-state.json']);
  });

  test('writing into a missing directory fails without leaving anything', async () => {
    const dir = await freshCaddyDir();
    await assert.rejects(writeState(join(dir, 'missing'), fullState), { code: 'ENOENT' });
    assert.deepEqual(await readdir(dir), []);
  });
});

describe('displayPath', () => {
  test('relative inside the working directory, absolute outside it', () => {
    assert.equal(displayPath('/srv/app/caddy/cutover.lock', '/srv/app'), 'caddy/cutover.lock');
    assert.equal(displayPath('/srv/other/caddy/cutover.lock', '/srv/app'), '/srv/other/caddy/cutover.lock');
    assert.equal(displayPath('/srv/app/..data/x', '/srv/app'), '..data/x');
  });
});
