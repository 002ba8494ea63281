/**
 * Identity of one test run. scripts/test.sh exports CUTOVER_TEST_RUN for the
 * whole run (its sweep removes everything with that label at exit); a test file
 * started on its own gets a fresh id and must clean up after itself entirely.
 */

export const RUN_LABEL = 'cutover.test.run';
/** Narrows the run to one test file, so a file can check its own leftovers while other files still run. */
export const SCOPE_LABEL = 'cutover.test.scope';

const fromEnv = process.env.CUTOVER_TEST_RUN;

export const runId: string = fromEnv ?? `ct${Math.floor(Date.now() / 1000)}${process.pid}`;

/** True when this process made up the run id: nothing outside will sweep after it. */
export const runIsOwned: boolean = fromEnv === undefined;

/** Lowercase, [a-z0-9-], starting with a letter: valid in image, container, network and volume names. */
function dockerSafe(text: string): string {
  const safe = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(safe) ? safe : `t${safe}`;
}

/** The prefix of the Docker names (and temp files) of run `id`. */
export function prefixOfRun(id: string): string {
  return dockerSafe(id);
}

/** Prefix of every Docker name this run creates. */
export const runPrefix: string = prefixOfRun(runId);

export const runLabels: Readonly<Record<string, string>> = { [RUN_LABEL]: runId };

/** Prefix of this run's temp files and dirs in os.tmpdir(), so the sweep finds what an interrupted run left. */
export function runTempPrefix(prefix: string = runPrefix): string {
  return `cutover-test-${prefix}-`;
}

export interface TestScope {
  /** `<run prefix>-<tag>`: prefix of the Docker names of one test file. */
  prefix: string;
  /** Run label + scope label: put them on everything the file creates. */
  labels: Record<string, string>;
  /** `<prefix>-<part>` */
  name(part: string): string;
}

/** The names and labels of one test file; `tag` is short and unique among the files (e.g. `health`). */
export function testScope(tag: string): TestScope {
  const prefix = `${runPrefix}-${dockerSafe(tag)}`;
  return { prefix, labels: { [RUN_LABEL]: runId, [SCOPE_LABEL]: prefix }, name: (part) => `${prefix}-${dockerSafe(part)}` };
}
