/**
 * `npm run bench -- soak [count]` (through scripts/bench.sh): the soak of
 * bench/scenario-soak.ts, `count` operations (default 200) on one project
 * under load, with the invariant checked after each. Prints progress on
 * stderr, the table on stdout, and writes it into docs/benchmarks.md (its
 * own section). SOAK_SEED replays a sequence. Exit 1 when an invariant
 * broke or a request failed.
 */
import os from 'node:os';
import { rigDockerClient } from '../test/rig/docker-client.js';
import { say } from './progress.js';
import { renderSoakTable } from './render-soak-table.js';
import { runSoakScenario } from './scenario-soak.js';
import { describeMachine, SOAK_MARKERS, writeReport } from './write-report.js';

const count = Number(process.argv[2] ?? 200);
if (!Number.isInteger(count) || count < 1) {
  say(`soak: "${process.argv[2]}" is not a number of operations; run npm run bench -- soak 200`);
  process.exit(2);
}
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31);
/** Far above what an operation takes on a busy machine (about 10 s); reaching it aborts and cleans up. */
const WATCHDOG_MS = (5 + count) * 60_000;

const docker = rigDockerClient();
const interrupt = new AbortController();
const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupt.signal.aborted) process.exit(130);
  say(`${signal}: stopping after this operation and cleaning up (press Ctrl-C again to leave at once)`);
  interrupt.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const watchdog = setTimeout(() => interrupt.abort(new Error(`the soak ran longer than ${WATCHDOG_MS / 60_000} minutes`)), WATCHDOG_MS);
watchdog.unref();

const loadAtStart = os.loadavg()[0] ?? 0;
try {
  const result = await runSoakScenario(docker, count, seed, interrupt.signal);
  const table = renderSoakTable(result);
  process.stdout.write(`\n${table}`);
  await writeReport(await describeMachine(docker, loadAtStart), table, SOAK_MARKERS);
  say('wrote the soak table into docs/benchmarks.md');
  if (result.broken !== undefined) say(`soak stopped: ${result.broken}`);
  process.exitCode = result.broken === undefined && result.failed === 0 ? 0 : 1;
} catch (error) {
  say(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = interrupt.signal.aborted ? 130 : 1;
} finally {
  clearTimeout(watchdog);
}
