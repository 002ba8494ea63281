import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readState, writeState } from '../../src/state/state-store.js';
import { recordDeployment } from '../../src/state/state-transitions.js';
import { HISTORY_LIMIT, type State } from '../../src/state/state-schema.js';
import { fullState } from '../unit/state/state-fixtures.js';

/**
 * A writer process rewrites the state file over and over while this process
 * reads it in a loop: every read must be a whole, valid state. The file is
 * made large (a full history, tens of KB) so that a plain non-atomic write
 * would be caught half-way.
 */

const WRITES = 300;

const WRITER = `
const { writeState } = await import(process.env.STORE_MODULE);
const base = JSON.parse(process.env.BASE_STATE);
for (let i = 1; i <= Number(process.env.WRITES); i += 1) {
  await writeState(process.env.STATE_DIR, { ...base, operation: { ...base.operation, phase: 'write-' + i } });
}
`;

/** The fixture state with a full history, so the file is big. */
function bigState(): State {
  let state: State = fullState;
  const template = fullState.history[0];
  assert.ok(template !== undefined);
  for (let i = 0; i < HISTORY_LIMIT; i += 1) {
    state = recordDeployment(state, { ...template, id: `op-${i}`, reason: 'x'.repeat(300) });
  }
  return state;
}

test(`a reader never sees a partial state file while another process writes it ${WRITES} times`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-state-atomic-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const base = bigState();
  await writeState(dir, base); // the file exists from the start: a null read is a failure too

  const writer = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', WRITER], {
    env: {
      ...process.env,
      STATE_DIR: dir,
      STORE_MODULE: new URL('../../src/state/state-store.ts', import.meta.url).href,
      BASE_STATE: JSON.stringify(base),
      WRITES: String(WRITES),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exitCode: number | null | undefined;
  const exited = once(writer, 'exit').then(([code]) => {
    exitCode = code as number | null;
  });

  let reads = 0;
  const phasesSeen = new Set<string>();
  while (exitCode === undefined) {
    const state = await readState(dir); // throws StateInvalidError on a partial or corrupt file
    assert.ok(state !== null, 'the state file vanished during a rewrite');
    assert.equal(state.history.length, HISTORY_LIMIT);
    phasesSeen.add(state.operation?.phase ?? '');
    reads += 1;
  }
  await exited;
  assert.equal(exitCode, 0, 'the writer finished without error');

  const last = await readState(dir);
  assert.equal(last?.operation?.phase, `write-${WRITES}`);
  assert.deepEqual(await readdir(dir), ['cutover-state.json'], 'no temp file left behind');
  // The reads overlapped the writes: many different versions were seen, not just the first and the last.
  assert.ok(phasesSeen.size >= 10, `only ${phasesSeen.size} distinct versions seen in ${reads} reads`);
  t.diagnostic(`${reads} reads saw ${phasesSeen.size} of ${WRITES} versions`);
});
