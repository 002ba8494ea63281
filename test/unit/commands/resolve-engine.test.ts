import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertSwarmCommand, engineSource, resolveEngine } from '../../../src/commands/resolve-engine.js';
import { UsageError } from '../../../src/errors.js';

describe('resolveEngine', () => {
  test('the flag wins over CUTOVER_ENGINE, which wins over the default compose', () => {
    assert.equal(resolveEngine(undefined, {}), 'compose');
    assert.equal(resolveEngine(undefined, { CUTOVER_ENGINE: '' }), 'compose');
    assert.equal(resolveEngine(undefined, { CUTOVER_ENGINE: 'swarm' }), 'swarm');
    assert.equal(resolveEngine('compose', { CUTOVER_ENGINE: 'swarm' }), 'compose');
    assert.equal(resolveEngine('swarm', {}), 'swarm');
  });

  test('any other value is a usage error (exit 2) naming where it came from', () => {
    assert.throws(() => resolveEngine('kubernetes', {}), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /--engine kubernetes is not an engine: use compose or swarm/.test(e.message));
    assert.throws(() => resolveEngine(undefined, { CUTOVER_ENGINE: 'Swarm' }), (e: unknown) => e instanceof UsageError && /CUTOVER_ENGINE=Swarm is not an engine/.test(e.message));
  });
});

describe('assertSwarmCommand', () => {
  test('deploy, rollback, status, cleanup, reconcile, promote and abort pass; the commands not built on Swarm yet are refused', () => {
    for (const command of ['deploy', 'rollback', 'status', 'cleanup', 'reconcile', 'promote', 'abort', 'config']) assert.doesNotThrow(() => assertSwarmCommand(command));
    assert.doesNotThrow(() => assertSwarmCommand('reconcile', { dryRun: true }));
    for (const command of ['reset', 'logs']) {
      assert.throws(() => assertSwarmCommand(command), (e: unknown) => e instanceof UsageError && e.message === `cutover ${command} is not supported with --engine swarm yet`);
    }
  });

  test('deploy flags not built on Swarm yet are refused; the others pass', () => {
    assert.doesNotThrow(() => assertSwarmCommand('deploy', { dryRun: true, force: false, stepInterval: '60s', realTraffic: true }));
    assert.doesNotThrow(() => assertSwarmCommand('deploy', { canary: '10,50', pause: true }));
    assert.throws(() => assertSwarmCommand('deploy', { canary: '10,50', bake: '5m' }), (e: unknown) => e instanceof UsageError && e.message === 'deploy --bake is not supported with --engine swarm yet');
    assert.throws(() => assertSwarmCommand('rollback', { dryRun: true }), /rollback --dry-run is not supported/);
    assert.doesNotThrow(() => assertSwarmCommand('status', { json: true }));
  });
});

describe('engineSource', () => {
  test('the flag first, then CUTOVER_ENGINE unless empty, else the default', () => {
    assert.equal(engineSource('swarm', { CUTOVER_ENGINE: 'compose' }), 'flag');
    assert.equal(engineSource(undefined, { CUTOVER_ENGINE: 'swarm' }), 'env');
    assert.equal(engineSource(undefined, { CUTOVER_ENGINE: '' }), 'default');
    assert.equal(engineSource(undefined, {}), 'default');
  });
});
