import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateInvalidError } from '../../../src/errors.js';
import { migrateState } from '../../../src/state/migrate-state.js';
import { STATE_SCHEMA_VERSION, stateSchema } from '../../../src/state/state-schema.js';
import { fullState } from './state-fixtures.js';

describe('state schema', () => {
  test('a full state survives JSON and parsing unchanged', () => {
    const again = stateSchema.parse(JSON.parse(JSON.stringify(fullState)));
    assert.deepEqual(again, fullState);
  });

  test('the current schema version is 2', () => {
    assert.equal(STATE_SCHEMA_VERSION, 2);
  });

  test('an image identity needs a sha256 image ID; the digest is a sha256 digest or null', () => {
    const bad = structuredClone(fullState);
    bad.active!.images = { platform: { ref: 'x:latest', id: 'abc', digest: null } };
    assert.deepEqual(stateSchema.safeParse(bad).error?.issues[0]?.path, ['active', 'images', 'platform', 'id']);
    const badDigest = structuredClone(fullState);
    badDigest.active!.images = { platform: { ref: 'x:latest', id: `sha256:${'a'.repeat(64)}`, digest: 'latest' } };
    assert.deepEqual(stateSchema.safeParse(badDigest).error?.issues[0]?.path, ['active', 'images', 'platform', 'digest']);
  });

  test('canary weights must add up to 100', () => {
    const bad = structuredClone(fullState);
    bad.operation!.canary!.weights = { blue: 80, green: 25 };
    const result = stateSchema.safeParse(bad);
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['operation', 'canary', 'weights']);
  });

  test('a canary step index past the last step is refused', () => {
    const bad = structuredClone(fullState);
    bad.operation!.canary!.stepIndex = 3;
    assert.deepEqual(stateSchema.safeParse(bad).error?.issues[0]?.path, ['operation', 'canary', 'stepIndex']);
  });
});

describe('migrateState', () => {
  test('reads a v1 file as written by the first release (no targets) into the current state', () => {
    // Exactly what cutover 0.1 writes after one deploy: `targets` did not have to be there.
    const v1File = {
      schemaVersion: 1,
      project: 'tale',
      active: { color: 'green', version: 'v2.0.0', since: '2024-05-01T12:00:03.000Z' },
      standby: null,
      operation: null,
      history: [],
    };
    const state = migrateState(v1File);
    assert.deepEqual(state, { ...v1File, schemaVersion: 2, targets: {} });
  });

  test('an interrupted v1 operation gains empty journal fields in v2', () => {
    const v1Operation = {
      id: 'deploy-1', kind: 'deploy', fromColor: 'blue', toColor: 'green', fromVersion: 'v1', toVersion: 'v2',
      phase: 'draining', phaseStartedAt: '2024-05-01T12:00:03.000Z', phases: [], startedAt: '2024-05-01T12:00:00.000Z', pid: 7, host: 'web1',
    };
    const state = migrateState({ schemaVersion: 1, project: 'tale', active: null, standby: null, operation: v1Operation, history: [] });
    assert.deepEqual(state.operation, { ...v1Operation, stopOld: false, previousStandby: null, parked: [] });
  });

  test('a v1 file with releases becomes v2 with no image identities (known by tag only)', () => {
    const v1File = {
      schemaVersion: 1,
      project: 'tale',
      active: { color: 'blue', version: 'v2', since: '2024-05-01T12:00:03.000Z' },
      standby: { color: 'green', version: 'v1' },
      operation: null,
      history: [{ id: 'op-1', kind: 'deploy', version: 'v2', color: 'blue', fromVersion: 'v1', fromColor: 'green', startedAt: '2024-05-01T12:00:00.000Z', finishedAt: '2024-05-01T12:00:03.000Z', outcome: 'succeeded' }],
      targets: {},
    };
    const state = migrateState(v1File);
    assert.equal(state.schemaVersion, 2);
    assert.deepEqual([state.active?.images, state.standby?.images, state.history[0]?.images, state.history[0]?.fromImages], [undefined, undefined, undefined, undefined]);
    assert.deepEqual({ ...state, schemaVersion: 1 }, v1File);
  });

  test('a file from a newer cutover is refused with a message that says to upgrade', () => {
    const newer = { ...fullState, schemaVersion: STATE_SCHEMA_VERSION + 1, somethingNew: true };
    assert.throws(
      () => migrateState(newer, 'caddy/cutover-state.json'),
      (error: unknown) => {
        assert.ok(error instanceof StateInvalidError);
        assert.equal(
          error.message,
          'caddy/cutover-state.json was written by a newer cutover (schema version 3, this one reads up to 2); upgrade',
        );
        assert.equal(error.exitCode, 11);
        assert.match(error.hint ?? '', /^upgrade cutover/);
        return true;
      },
    );
  });

  const invalid: Array<[string, unknown, string]> = [
    ['no schemaVersion', { project: 'x' }, 'the state file is invalid at schemaVersion: Invalid input: expected number, received undefined'],
    ['schemaVersion 0', { ...fullState, schemaVersion: 0 }, 'the state file is invalid at schemaVersion: Too small: expected number to be >0'],
    ['not an object', [1, 2], 'the state file is invalid: Invalid input: expected object, received array'],
    [
      'unknown color',
      { ...fullState, active: { ...fullState.active, color: 'red' } },
      'the state file is invalid at active.color: Invalid option: expected one of "blue"|"green"',
    ],
    [
      'bad outcome in history',
      { ...fullState, history: [{ ...fullState.history[0], outcome: 'ok' }] },
      'the state file is invalid at history.0.outcome: Invalid option: expected one of "succeeded"|"failed"|"aborted"|"rolled-back"|"interrupted"',
    ],
  ];
  for (const [name, raw, message] of invalid) {
    test(`invalid: ${name}`, () => {
      assert.throws(() => migrateState(raw), (error: unknown) => {
        assert.ok(error instanceof StateInvalidError);
        assert.equal(error.message, message);
        assert.equal(error.hint, 'fix or move it aside; `cutover status` shows what Caddy really does');
        return true;
      });
    });
  }
});
