import type { State } from '../state/state-schema.js';
import { writeState } from '../state/state-store.js';

/** The state of one running operation: every change is written at once (atomically), by this one writer. */
export class StateKeeper {
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
    return this.current;
  }
}
