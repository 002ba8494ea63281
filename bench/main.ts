/**
 * `npm run bench` (through scripts/bench.sh): cutover against the document's
 * passive health routing, one after the other on this machine, with the same
 * test app images, container specs and load; then cutover's weighted canary
 * (the measured share per step, and the abort of a version that starts
 * failing). Prints progress on stderr, the tables on stdout, and writes them
 * into docs/benchmarks.md.
 *
 * Every Docker object carries the run label of CUTOVER_TEST_RUN (set by
 * scripts/bench.sh, whose sweep removes whatever is left at exit); each
 * scenario also removes its own objects when it ends, also on failure.
 */
import os from 'node:os';
import { rigDockerClient } from '../test/rig/docker-client.js';
import { say } from './progress.js';
import { renderCanaryTable } from './render-canary-table.js';
import { renderTable } from './render-table.js';
import { runCanaryScenario } from './scenario-canary.js';
import { runCutoverScenario } from './scenario-cutover.js';
import { runPassiveScenario } from './scenario-passive.js';
import type { ScenarioResult } from './scenario-result.js';
import { describeMachine, writeReport } from './write-report.js';

/** Far above a normal run (about 3 minutes); reaching it aborts and cleans up. */
const WATCHDOG_MS = 6 * 60_000;

const docker = rigDockerClient();
const interrupt = new AbortController();
const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupt.signal.aborted) {
    say(`${signal} again: leaving now; the sweep of scripts/bench.sh removes what is left`);
    process.exit(130);
  }
  say(`${signal}: stopping the load and cleaning up (press Ctrl-C again to leave at once)`);
  interrupt.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const watchdog = setTimeout(() => interrupt.abort(new Error(`the benchmark ran longer than ${WATCHDOG_MS / 60_000} minutes`)), WATCHDOG_MS);
watchdog.unref();

const loadAtStart = os.loadavg()[0] ?? 0;
const results: ScenarioResult[] = [];
try {
  const signal = interrupt.signal;
  results.push(await runCutoverScenario(docker, signal));
  results.push(await runPassiveScenario(docker, 'first', signal));
  results.push(await runPassiveScenario(docker, 'alias', signal));
  const canary = await runCanaryScenario(docker, signal);
  const table = `${renderTable(results)}\n${renderCanaryTable(canary)}`;
  process.stdout.write(`\n${table}`);
  await writeReport(await describeMachine(docker, loadAtStart), table);
  say('wrote the table into docs/benchmarks.md');
} catch (error) {
  say(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = interrupt.signal.aborted ? 130 : 1;
} finally {
  clearTimeout(watchdog);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
