import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ENGINE_BOUND_COMMANDS, engineMismatch, recordedEngine, type EngineMismatchInput } from '../../../src/domain/engine-mismatch.js';

const active = { color: 'blue' as const, version: 'v1', since: '2026-01-01T00:00:00.000Z' };
const operation = {
  id: 'deploy-1', kind: 'deploy' as const, fromColor: null, toColor: 'blue' as const, fromVersion: null, toVersion: 'v1', phase: 'starting',
  phaseStartedAt: '2026-01-01T00:00:00.000Z', phases: [], startedAt: '2026-01-01T00:00:00.000Z', pid: 1, host: 'h', stopOld: false, previousStandby: null, parked: [],
};
const swarmState: EngineMismatchInput['state'] = { engine: 'swarm', active, standby: null, operation: null };
const composeState: EngineMismatchInput['state'] = { active, standby: { color: 'green', version: 'v0' }, operation: null };
const input = (over: Partial<EngineMismatchInput>): EngineMismatchInput => ({ command: 'status', engine: 'compose', source: 'default', state: null, stateFile: 'caddy/cutover-state.json', ...over });

describe('recordedEngine', () => {
  test('swarm by its field; compose once a file without it records a color or an operation; else none yet', () => {
    assert.equal(recordedEngine(null), undefined);
    assert.equal(recordedEngine(swarmState), 'swarm');
    assert.equal(recordedEngine({ engine: 'swarm', active: null, standby: null, operation: null }), undefined, 'a first Swarm deploy that failed and removed its services binds nothing');
    assert.equal(recordedEngine({ engine: 'swarm', active: null, standby: null, operation }), 'swarm', 'a killed first Swarm deploy is Swarm');
    assert.equal(recordedEngine({ engine: 'swarm', active: null, standby: null, operation: null, swarmServices: { blue: ['p_web-blue'] } }), 'swarm', 'services recorded');
    assert.equal(recordedEngine(composeState), 'compose');
    assert.equal(recordedEngine({ active: null, standby: null, operation }), 'compose', 'an interrupted first Compose deploy');
    assert.equal(recordedEngine({ engine: 'compose', active, standby: null, operation: null }), 'compose');
    assert.equal(recordedEngine({ active: null, standby: null, operation: null }), undefined, 'after reset: plain Compose, either engine may start');
  });
});

describe('engineMismatch', () => {
  test('every command that acts on the colors is refused on a Swarm project with --engine compose, naming the flag', () => {
    for (const command of ENGINE_BOUND_COMMANDS) {
      const refusal = engineMismatch(input({ command, source: 'flag', state: swarmState }));
      assert.ok(refusal !== undefined, command);
      assert.equal(refusal.message, `this project runs on Swarm (caddy/cutover-state.json records engine swarm): use --engine swarm (or leave --engine out: the state file decides) to run cutover ${command} on it`);
      assert.match(refusal.hint, /nothing was changed/);
      assert.doesNotMatch(refusal.message, /\n/);
    }
    assert.match(engineMismatch(input({ state: swarmState, source: 'env' }))?.message ?? '', /: set CUTOVER_ENGINE=swarm \(or unset it: the state file decides\)/);
  });

  test('--engine swarm on a project that records Compose colors is refused, naming what to leave out', () => {
    assert.equal(
      engineMismatch(input({ command: 'deploy', engine: 'swarm', source: 'flag', state: composeState }))?.message,
      'this project runs on Compose containers (caddy/cutover-state.json records blue v1 as Compose containers, no engine swarm): leave out --engine swarm to run cutover deploy on it',
    );
    assert.match(engineMismatch(input({ engine: 'swarm', source: 'env', state: { active: null, standby: null, operation } }))?.message ?? '', /records Compose colors, no engine swarm\): unset CUTOVER_ENGINE/);
  });

  test('passes: the matching engine, no state file, no color recorded yet, and the commands that only read compose files', () => {
    assert.equal(engineMismatch(input({ engine: 'swarm', source: 'flag', state: swarmState })), undefined);
    assert.equal(engineMismatch(input({ state: composeState })), undefined);
    assert.equal(engineMismatch(input({ engine: 'swarm', state: null })), undefined);
    assert.equal(engineMismatch(input({ engine: 'swarm', state: { active: null, standby: null, operation: null } })), undefined);
    for (const command of ['config', 'init', 'help']) assert.equal(engineMismatch(input({ command, state: swarmState })), undefined, command);
  });
});
