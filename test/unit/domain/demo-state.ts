import type { State } from '../../../src/state/state-schema.js';

/**
 * The state file of the status tests' project `demo`: blue runs v2 and takes
 * the traffic since 12:00, green keeps v1 as the standby, nothing under way.
 * Each test gives the history and targets its own services need.
 */
export function demoState(parts: Pick<State, 'history' | 'targets'>): State {
  return {
    schemaVersion: 2,
    project: 'demo',
    active: { color: 'blue', version: 'v2', since: '2025-03-01T12:00:00.000Z' },
    standby: { color: 'green', version: 'v1' },
    operation: null,
    ...parts,
  };
}
