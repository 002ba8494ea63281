/**
 * `npm run bench -- real-traffic [count]` (through scripts/bench.sh): the
 * canary's judgement of the real traffic on real Caddy 2.6.2 and real
 * containers, under a steady load, in-process as the integration tests run it:
 *
 * 1. time to detect and requests lost against the new version's error rate
 *    (50, 10, 5, 1 %, on the load's paths only: the probes at / stay fine, so
 *    the real traffic decides) and the traffic share (10 and 20 %), one 15 s
 *    step each;
 * 2. the false-abort rate of healthy canaries with 2 % background errors in
 *    both colors (`count` runs of one 5 s step at 20 %; default 20);
 * 3. Caddy's extra CPU for the per-request log at this load: /proc/<pid>/stat
 *    of the Caddy process over the same time without and with the log.
 *
 * Prints the tables on stdout. Every Docker object carries the run's label;
 * the project is removed at the end, also on failure.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canaryOptionsFrom } from '../src/commands/canary-flags.js';
import type { JsonObject } from '../src/domain/caddy-json.js';
import { withoutTrafficLog, withTrafficLog } from '../src/domain/traffic-log-config.js';
import { CanaryAbortedError } from '../src/errors.js';
import { deploy } from '../src/run/deploy.js';
import { failShare } from '../test/rig/fail-share.js';
import { rigDockerClient } from '../test/rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../test/rig/host-mode-project.js';
import { startLoad, summarizeLoad } from '../test/rig/load-client.js';
import { runCli } from '../test/rig/run-cli.js';
import { testScope } from '../test/rig/run-id.js';
import { buildTestImage } from '../test/rig/test-image.js';
import { testRuntime } from '../test/rig/test-runtime.js';
import os from 'node:os';
import { say } from './progress.js';
import { describeMachine, writeReport } from './write-report.js';

/** The section of docs/benchmarks.md this bench writes (a full run; a partial one only prints). */
export const REAL_TRAFFIC_MARKERS = {
  start: '<!-- bench:real-traffic:start (written by `npm run bench -- real-traffic`; edit outside these markers) -->',
  end: '<!-- bench:real-traffic:end -->',
};

type Color = 'blue' | 'green';
const RATES = [0.5, 0.1, 0.05, 0.01];
const SHARES = [10, 20];
const LOAD = { keepAliveClients: 4, freshClients: 0, slowClients: 0, slowMs: 0, postEvery: 5, maxDurationMs: 120_000 };

const count = Number(process.argv[2] ?? '20');
const scope = testScope('bench-real');
const docker = rigDockerClient();

async function liveOf(project: HostModeProject): Promise<{ color: Color; version: string }> {
  const state = JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8')) as { active: { color: Color; version: string } };
  return state.active;
}

/** Errors on the load's two paths, never on the probes' `/`. */
async function failLoadPaths(project: HostModeProject, color: Color, share: number): Promise<void> {
  await failShare(project, color, share, '/version');
  await failShare(project, color, share, '/echo');
}

interface CanaryRun {
  aborted: boolean;
  /** The deploy failed for another reason than the canary's analysis: neither promoted nor aborted. */
  failed: boolean;
  byRealTraffic: boolean;
  detectMs: number | undefined;
  lost: number;
  requests: number;
  reason: string;
}

/** One canary of one step; the new color gets `newErrors` on the load's paths from its first step, the old keeps `oldErrors`. */
async function canaryRun(project: HostModeProject, options: { share: number; stepInterval: string; newErrors: number; oldErrors: number }): Promise<CanaryRun> {
  const live = await liveOf(project);
  const next: Color = live.color === 'blue' ? 'green' : 'blue';
  await failLoadPaths(project, live.color, options.oldErrors);
  const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
  let first = true;
  runtime.beforeSwitchWrite = async () => {
    if (!first) return;
    first = false;
    await failLoadPaths(project, next, options.newErrors);
  };
  const canary = canaryOptionsFrom({ canary: String(options.share), stepInterval: options.stepInterval });
  const load = startLoad({ baseUrl: project.caddy.url('/'), ...LOAD });
  let error: unknown;
  let result = { lost: 0, requests: 0 };
  try {
    error = await deploy(runtime, { version: live.version === 'v1' ? 'v2' : 'v1', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal, canary }).then(
      () => undefined,
      (e: unknown) => e,
    );
  } finally {
    const samples = await load.stop();
    await runtime.close();
    const summary = summarizeLoad(samples);
    result = { lost: summary.failed, requests: summary.requests };
  }
  // Any other failure (a health timeout on a loaded machine, say) ends this run, not the bench: it is
  // reported as such and left out of the abort counts. The deploy has undone itself, as it always does.
  if (error !== undefined && !(error instanceof CanaryAbortedError)) {
    return { aborted: false, failed: true, byRealTraffic: false, detectMs: undefined, reason: error instanceof Error ? error.message.slice(0, 160) : String(error), ...result };
  }
  const step = log.events('canary.step')[0];
  const worse = log.events('canary.real-traffic.look').find((l) => l.verdict === 'worse');
  const analysis = log.events('canary.analysis')[0];
  const endAt = (worse?.time ?? analysis?.time) as number | undefined;
  return {
    aborted: error !== undefined,
    failed: false,
    byRealTraffic: worse !== undefined,
    detectMs: error === undefined || step === undefined || endAt === undefined ? undefined : endAt - (step.time as number),
    reason: error instanceof Error ? error.message.slice(0, 160) : 'promoted',
    ...result,
  };
}

async function detection(project: HostModeProject): Promise<string> {
  const rows = ['| new version fails | share | outcome | detected after | lost requests (of all) |', '| --- | --- | --- | --- | --- |'];
  for (const rate of RATES) {
    for (const share of SHARES) {
      say(`detection: ${rate * 100} % failing at ${share} %`);
      const run = await canaryRun(project, { share, stepInterval: '15s', newErrors: rate, oldErrors: 0 });
      const outcome = run.failed ? `failed otherwise: ${run.reason}` : run.aborted ? (run.byRealTraffic ? 'aborted (real traffic)' : 'aborted (probes)') : 'promoted';
      rows.push(`| ${rate * 100} % | ${share} % | ${outcome} | ${run.detectMs === undefined ? '-' : `${(run.detectMs / 1000).toFixed(1)} s`} | ${run.lost} (of ${run.requests}) |`);
    }
  }
  return rows.join('\n');
}

async function falseAborts(project: HostModeProject): Promise<string> {
  let aborted = 0;
  const reasons: string[] = [];
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const run = await canaryRun(project, { share: 20, stepInterval: '5s', newErrors: 0.02, oldErrors: 0.02 });
    say(`false aborts: run ${i + 1} of ${count}: ${run.failed ? `FAILED OTHERWISE: ${run.reason}` : run.aborted ? `ABORTED: ${run.reason}` : 'promoted'}`);
    if (run.failed) failures.push(run.reason);
    else if (run.aborted) {
      aborted++;
      reasons.push(run.reason);
    }
  }
  const judged = count - failures.length;
  const otherwise = failures.length > 0 ? ` ${failures.length} run(s) failed for another reason and are not counted: ${failures.join('; ')}.` : '';
  return `Healthy canaries, 2 % background errors in both colors, one 5 s step at 20 %: **${aborted} of ${judged} aborted**${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}.${otherwise}`;
}

async function cpuTicks(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  // utime and stime: fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
  return Number(fields[11]) + Number(fields[12]);
}

async function caddyCpu(project: HostModeProject): Promise<string> {
  const measure = async (): Promise<{ ticks: number; requests: number }> => {
    const load = startLoad({ baseUrl: project.caddy.url('/'), ...LOAD });
    const before = await cpuTicks(project.caddy.pid);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const ticks = (await cpuTicks(project.caddy.pid)) - before;
    return { ticks, requests: summarizeLoad(await load.stop()).requests };
  };
  const { runtime } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
  try {
    const without = await measure();
    let read = await runtime.admin.readConfig();
    await runtime.admin.changeConfig('PATCH', '/config/', withTrafficLog(read.value as JsonObject, { filename: path.join(project.dir, 'caddy', 'cutover-traffic.log') }), { ifMatch: read.etag });
    const withLog = await measure();
    read = await runtime.admin.readConfig();
    await runtime.admin.changeConfig('PATCH', '/config/', withoutTrafficLog(read.value as JsonObject), { ifMatch: read.etag });
    // Clock ticks are 10 ms (CLK_TCK 100 on Linux).
    const perK = (m: { ticks: number; requests: number }): string =>
      `${m.requests > 0 ? ((m.ticks * 10 * 1000) / m.requests).toFixed(0) : '-'} ms CPU per 1000 requests (${m.requests} requests in 10 s, ${m.ticks * 10} ms CPU)`;
    return ['| Caddy | CPU |', '| --- | --- |', `| without the log | ${perK(without)} |`, `| with cutover's per-request log | ${perK(withLog)} |`].join('\n');
  } finally {
    await runtime.close();
  }
}

const only = process.argv[3];
const loadAtStart = os.loadavg()[0] ?? 0;
await Promise.all(['v1', 'v2'].map((v) => buildTestImage(docker, scope, v)));
const project = await createHostModeProject(docker, scope);
try {
  const first = await runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'deploy', 'v1']);
  if (first.code !== 0) throw new Error(first.stderr);
  const parts: string[] = [];
  if (only === undefined || only === 'cpu') parts.push(await caddyCpu(project));
  if (only === undefined || only === 'detect') parts.push(await detection(project));
  if (only === undefined || only === 'false') parts.push(await falseAborts(project));
  const table = `${parts.join('\n\n')}\n`;
  process.stdout.write(`\n${table}`);
  if (only === undefined) {
    await writeReport(`${await describeMachine(docker, loadAtStart)} ${count} healthy canaries.`, table, REAL_TRAFFIC_MARKERS);
    say('wrote the tables into docs/benchmarks.md');
  }
} finally {
  await project.remove();
}
