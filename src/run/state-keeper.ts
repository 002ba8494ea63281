import type { State } from '../state/state-schema.js';
import { writeState } from '../state/state-store.js';

/**
 * Test seam for the fault-injection suite, never set in production: when the
 * journal has just recorded this phase, the process stops there (waits
 * forever), so a test can SIGKILL it at exactly that point instead of racing
 * a phase that lasts milliseconds.
 */
const HANG_AFTER_PHASE = process.env.CUTOVER_TEST_HANG_AFTER_PHASE;

/** The state of one running operation: every change is written at once (atomically), by this one writer. */
export class StateKeeper {
  private writtenPhase: string | undefined;

  constructor(
    private readonly dir: string,
    private current: State,
  ) {}

  get state(): State {
    return this.current;
  }

  async update(change: (state: State) => State): Promise<State> {
    this.current = change(this.current);
    await writeState(this.dir, this.current);
    const phase = this.current.operation?.phase;
    const entered = phase !== this.writtenPhase;
    this.writtenPhase = phase;
    if (HANG_AFTER_PHASE !== undefined && phase === HANG_AFTER_PHASE && entered) {
      process.stderr.write(`test seam: hanging after the journal recorded phase ${phase}\n`);
      await new Promise<never>(() => undefined);
    }
    return this.current;
  }
}
