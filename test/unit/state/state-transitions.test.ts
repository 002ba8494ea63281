import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OperationFailedError } from '../../../src/errors.js';
import { HISTORY_LIMIT, stateSchema, type HistoryEntry, type ImageIdentity, type State } from '../../../src/state/state-schema.js';
import { identity } from './state-fixtures.js';
import {
  emptyState,
  enterPhase,
  finishOperation,
  recordDeployment,
  recordTargets,
  startOperation,
  updateCanary,
  type OperationStart,
} from '../../../src/state/state-transitions.js';

const t0 = new Date('2024-05-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);

/** Frozen all the way down: a transition that mutates its input throws (ESM code is strict). */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) frozen(child);
    Object.freeze(value);
  }
  return value;
}

/** Every transition's result must be a state that writeState accepts. */
function valid(state: State): State {
  assert.deepEqual(stateSchema.parse(state), state);
  return state;
}

function deployStart(from: State['active'], toColor: 'blue' | 'green', toVersion: string, id = 'op-1'): OperationStart {
  return {
    id,
    kind: 'deploy',
    fromColor: from?.color ?? null,
    fromVersion: from?.version ?? null,
    toColor,
    toVersion,
    phase: 'starting',
    pid: 1234,
    host: 'web1',
  };
}

function entry(id: string): HistoryEntry {
  return {
    id,
    kind: 'deploy',
    version: 'v1',
    color: 'blue',
    fromVersion: null,
    fromColor: null,
    startedAt: t0.toISOString(),
    finishedAt: at(1).toISOString(),
    outcome: 'succeeded',
  };
}

describe('image identities (state v2)', () => {
  const v1 = identity('127.0.0.1:5000/app:latest', '1', 'a');
  const v2 = identity('127.0.0.1:5000/app:latest', '2', 'b');
  const local = identity('app:dev', '3', null);

  const cases: Array<{ name: string; outcome: 'succeeded' | 'failed'; kind: 'deploy' | 'rollback'; active: ImageIdentity | undefined; standby: ImageIdentity | undefined; history: { images: ImageIdentity | undefined; fromImages: ImageIdentity | undefined } }> = [
    { name: 'a successful deploy: the new images become active, the old ones the standby', outcome: 'succeeded', kind: 'deploy', active: v2, standby: v1, history: { images: v2, fromImages: v1 } },
    { name: 'a failed deploy: active keeps its images, the replaced standby is gone', outcome: 'failed', kind: 'deploy', active: v1, standby: undefined, history: { images: v2, fromImages: v1 } },
    { name: 'a failed rollback: active and standby keep their images', outcome: 'failed', kind: 'rollback', active: v1, standby: local, history: { images: v2, fromImages: v1 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const live = frozen(valid({
        ...emptyState('tale'),
        active: { color: 'blue', version: 'latest', since: t0.toISOString(), images: { web: v1 } },
        standby: { color: 'green', version: 'dev', images: { web: local } },
      }));
      const running = frozen(valid(startOperation(live, { ...deployStart(live.active, 'green', 'latest'), kind: c.kind, images: { web: v2 }, fromImages: { web: v1 } }, at(1))));
      const done = valid(finishOperation(running, { outcome: c.outcome }, at(9)));
      assert.deepEqual(done.active?.images?.web, c.active);
      assert.deepEqual(done.standby?.images?.web, c.standby);
      assert.deepEqual({ images: done.history.at(-1)?.images?.web, fromImages: done.history.at(-1)?.fromImages?.web }, c.history);
    });
  }

  test('an operation without identities (a state from before v2) records none', () => {
    const live = frozen(valid({ ...emptyState('tale'), active: { color: 'blue', version: 'v1', since: t0.toISOString() } }));
    const done = valid(finishOperation(startOperation(live, deployStart(live.active, 'green', 'v2'), at(1)), { outcome: 'succeeded' }, at(2)));
    assert.equal('images' in (done.active ?? {}), false);
    assert.equal('images' in (done.standby ?? {}), false);
    assert.equal('images' in (done.history[0] ?? {}), false);
  });
});

describe('operation lifecycle', () => {
  test('first deploy: phases are timed, the new color becomes active, there is no standby yet', () => {
    let state = frozen(valid(emptyState('tale')));
    state = frozen(valid(startOperation(state, deployStart(null, 'blue', 'v1'), t0)));
    assert.equal(state.operation?.phase, 'starting');
    assert.equal(state.operation?.startedAt, '2024-05-01T12:00:00.000Z');

    state = frozen(valid(enterPhase(state, 'waiting-healthy', at(4))));
    state = frozen(valid(enterPhase(state, 'switching', at(25))));
    state = frozen(valid(enterPhase(state, 'draining', at(25.007))));
    state = frozen(valid(finishOperation(state, { outcome: 'succeeded' }, at(40))));

    assert.equal(state.operation, null);
    assert.deepEqual(state.active, { color: 'blue', version: 'v1', since: '2024-05-01T12:00:40.000Z' });
    assert.equal(state.standby, null);
    assert.deepEqual(state.history, [
      {
        id: 'op-1',
        kind: 'deploy',
        version: 'v1',
        color: 'blue',
        fromVersion: null,
        fromColor: null,
        startedAt: '2024-05-01T12:00:00.000Z',
        finishedAt: '2024-05-01T12:00:40.000Z',
        outcome: 'succeeded',
        phases: [
          { name: 'starting', ms: 4000 },
          { name: 'waiting-healthy', ms: 21000 },
          { name: 'switching', ms: 7 },
          { name: 'draining', ms: 14993 },
        ],
      },
    ]);
  });

  test('next deploy succeeds: the old color is kept as standby', () => {
    const live = frozen(valid({ ...emptyState('tale'), active: { color: 'blue', version: 'v1', since: t0.toISOString() } }));
    const running = frozen(startOperation(live, deployStart(live.active, 'green', 'v2'), at(60)));
    const done = valid(finishOperation(running, { outcome: 'succeeded' }, at(90)));
    assert.deepEqual(done.active, { color: 'green', version: 'v2', since: at(90).toISOString() });
    assert.deepEqual(done.standby, { color: 'blue', version: 'v1' });
  });

  test('a failed deploy keeps the active color and loses the standby whose color it used', () => {
    const live = frozen(
      valid({
        ...emptyState('tale'),
        active: { color: 'blue', version: 'v2', since: t0.toISOString() },
        standby: { color: 'green', version: 'v1' },
      }),
    );
    const running = frozen(startOperation(live, deployStart(live.active, 'green', 'v3'), at(60)));
    const done = valid(finishOperation(running, { outcome: 'failed', reason: 'platform never became healthy (300s)' }, at(400)));
    assert.deepEqual(done.active, live.active);
    assert.equal(done.standby, null);
    assert.equal(done.history[0]?.outcome, 'failed');
    assert.equal(done.history[0]?.reason, 'platform never became healthy (300s)');
    assert.equal(done.history[0]?.version, 'v3');
  });

  test('a rollback swaps active and standby; a failed one leaves both', () => {
    const live = frozen(
      valid({
        ...emptyState('tale'),
        active: { color: 'green', version: 'v2', since: t0.toISOString() },
        standby: { color: 'blue', version: 'v1' },
      }),
    );
    const start: OperationStart = { ...deployStart(live.active, 'blue', 'v1'), kind: 'rollback', phase: 'switching' };
    const running = frozen(startOperation(live, start, at(10)));

    const done = valid(finishOperation(running, { outcome: 'succeeded' }, at(11)));
    assert.deepEqual(done.active, { color: 'blue', version: 'v1', since: at(11).toISOString() });
    assert.deepEqual(done.standby, { color: 'green', version: 'v2' });

    const failed = valid(finishOperation(running, { outcome: 'failed', reason: 'Caddy unavailable' }, at(11)));
    assert.deepEqual(failed.active, live.active);
    assert.deepEqual(failed.standby, live.standby);
  });

  test('an interrupted operation in the state blocks a new one', () => {
    const interrupted = frozen(startOperation(emptyState('tale'), deployStart(null, 'blue', 'v1'), t0));
    assert.throws(() => startOperation(interrupted, deployStart(null, 'green', 'v2', 'op-2'), at(5)), (error: unknown) => {
      assert.ok(error instanceof OperationFailedError);
      assert.equal(
        error.message,
        'an interrupted deploy to v1 (blue, phase starting, started 2024-05-01T12:00:00.000Z by pid 1234 on web1) is recorded in the state file',
      );
      return true;
    });
  });

  test('re-entering the current phase changes nothing; a clock going backwards gives 0 ms, not a negative duration', () => {
    const running = frozen(startOperation(emptyState('tale'), deployStart(null, 'blue', 'v1'), at(10)));
    assert.equal(enterPhase(running, 'starting', at(20)), running);
    const next = valid(enterPhase(running, 'switching', at(5)));
    assert.deepEqual(next.operation?.phases, [{ name: 'starting', ms: 0 }]);
  });

  test('phase and finish without an operation are bugs', () => {
    assert.throws(() => enterPhase(emptyState('tale'), 'switching', t0), /bug: enterPhase called with no operation/);
    assert.throws(() => finishOperation(emptyState('tale'), { outcome: 'aborted' }, t0), /bug: finishOperation/);
  });

  test('updateCanary records the step and the weights', () => {
    const start: OperationStart = { ...deployStart(null, 'green', 'v2'), kind: 'canary', phase: 'canary-step' };
    const running = frozen(startOperation(emptyState('tale'), start, t0));
    const canary = { steps: [10, 50], stepIndex: 0, pauseAfter: [0], paused: true, originalLoadBalancing: { web: null }, weights: { blue: 90, green: 10 } };
    const stepped = valid(updateCanary(running, canary));
    assert.deepEqual(stepped.operation?.canary, canary);
  });
});

describe('recordDeployment', () => {
  test(`keeps the last ${HISTORY_LIMIT}, dropping the oldest first`, () => {
    let state = frozen(emptyState('tale'));
    for (let i = 1; i <= HISTORY_LIMIT + 5; i += 1) state = frozen(recordDeployment(state, entry(`op-${i}`)));
    assert.equal(state.history.length, HISTORY_LIMIT);
    assert.equal(state.history[0]?.id, 'op-6');
    assert.equal(state.history.at(-1)?.id, `op-${HISTORY_LIMIT + 5}`);
  });

  test('a smaller limit trims an existing longer history', () => {
    let state = emptyState('tale');
    for (let i = 1; i <= 4; i += 1) state = recordDeployment(state, entry(`op-${i}`));
    assert.deepEqual(recordDeployment(frozen(state), entry('op-5'), 2).history.map((e) => e.id), ['op-4', 'op-5']);
  });
});

describe('recordTargets', () => {
  test('sets one service and keeps the others', () => {
    const one = frozen(
      recordTargets(emptyState('tale'), 'rag', { caddyAdmin: 'http://127.0.0.1:2019', blue: ['rag-blue:8001'], green: [] }),
    );
    const two = valid(
      recordTargets(one, 'platform', { caddyAdmin: 'http://127.0.0.1:2019', blue: ['platform-blue:8000'], green: ['platform-green:8000'] }),
    );
    assert.deepEqual(Object.keys(two.targets).sort(), ['platform', 'rag']);
    assert.deepEqual(two.targets.rag, one.targets.rag);
  });
});
