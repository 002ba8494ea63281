import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideEngine, type EngineFacts } from '../../../src/domain/decide-engine.js';

const manager = { localNodeState: 'active', controlAvailable: true };
const facts = (over: Partial<EngineFacts>): EngineFacts => ({ recorded: undefined, swarm: manager, networks: [{ name: 'shop_net', scope: 'swarm' }], ...over });

describe('decideEngine (no --engine, no CUTOVER_ENGINE)', () => {
  test('the state file decides first, whatever the engine looks like', () => {
    assert.deepEqual(decideEngine(facts({ recorded: 'compose' })), { engine: 'compose', source: 'state', reason: 'the state file records the project on Compose containers' });
    assert.deepEqual(decideEngine(facts({ recorded: 'swarm', swarm: undefined, networks: [] })), { engine: 'swarm', source: 'state', reason: 'the state file records the project on Swarm' });
  });

  test('detected: an active Swarm manager and every network of the colored services with scope swarm', () => {
    const decision = decideEngine(facts({ networks: [{ name: 'shop_net', scope: 'swarm' }, { name: 'edge', scope: 'swarm' }] }));
    assert.deepEqual(decision, { engine: 'swarm', source: 'detected', reason: 'the Docker engine is a Swarm manager and network shop_net, edge has scope swarm' });
  });

  const composeCases: Array<[string, Partial<EngineFacts>, RegExp]> = [
    ['Docker did not answer', { swarm: undefined }, /did not answer/],
    ['not in a Swarm', { swarm: { localNodeState: 'inactive', controlAvailable: false } }, /not in a Swarm \(inactive\)/],
    ['a worker', { swarm: { localNodeState: 'active', controlAvailable: false } }, /a Swarm worker, not a manager/],
    ['no network', { networks: [] }, /join no network/],
    ['the network missing (no stack deployed)', { networks: [{ name: 'shop_net', scope: undefined }] }, /network shop_net does not exist/],
    ['a local network (a Compose project on a Swarm manager)', { networks: [{ name: 'shop_net', scope: 'swarm' }, { name: 'shop_default', scope: 'local' }] }, /network shop_default has scope local/],
  ];
  for (const [name, over, reason] of composeCases) {
    test(`Compose: ${name}`, () => {
      const decision = decideEngine(facts(over));
      assert.equal(decision.engine, 'compose');
      assert.equal(decision.source, 'default');
      assert.match(decision.reason, reason);
    });
  }
});
