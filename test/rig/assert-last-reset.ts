import assert from 'node:assert/strict';
import type { RecordedState } from './crash-harness.js';

/** The reset's history entry is the last one, with this outcome and recovery (direction, phase). */
export async function assertLastReset(state: () => Promise<RecordedState>, context: string, expected: [string, string, string]): Promise<void> {
  const entry = (await state()).history.at(-1);
  assert.deepEqual([entry?.kind, entry?.outcome, entry?.recovered?.direction, entry?.recovered?.phase], ['reset', ...expected], `${context}: ${JSON.stringify(entry)}`);
}
