/** Why an analysis ended early: a verdict (`reason`) or an error to rethrow. */
export type Failure = { reason: string } | { error: unknown };

/** The first failure of an analysis step; `woken` settles when there is one. Later failures are ignored. */
export class StepFailure {
  value: Failure | undefined;
  readonly woken: Promise<void>;
  private wake: () => void = () => undefined;

  constructor() {
    this.woken = new Promise<void>((resolve) => (this.wake = resolve));
  }

  get open(): boolean {
    return this.value === undefined;
  }

  set(failure: Failure): void {
    if (this.value !== undefined) return;
    this.value = failure;
    this.wake();
  }
}
