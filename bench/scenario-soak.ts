/**
 * The soak: `count` operations in a row on ONE project under a steady load,
 * drawn at random (seeded, so a failing sequence can be replayed with
 * SOAK_SEED): deploys, rollbacks, canaries (finished, promoted, aborted),
 * cleanups, and commands SIGKILLed at a phase read from their log and then
 * settled by a random next command. After every operation the invariant is
 * checked (soak-invariants.ts); the first broken one stops the soak. Every
 * request of the load is counted: a failure is any error or non-2xx, except
 * a new connection reset while Caddy reloads its config (ECONNRESET before
 * any byte), which is counted apart (docs/crash-safety.md).
 */
import type Docker from 'dockerode';
import { startLoad, type LoadRun, type LoadSample } from '../test/rig/load-client.js';
import { testScope } from '../test/rig/run-id.js';
import { runCli } from '../test/rig/run-cli.js';
import { buildTestImage } from '../test/rig/test-image.js';
import { createBenchProject } from './bench-project.js';
import { formatMs, say } from './progress.js';
import { checkInvariants, type InvariantFigures } from './soak-invariants.js';
import { drawKind, runSoakOperation, type SoakKind } from './soak-operations.js';
import { tearDownScenario } from './tear-down-scenario.js';

const VERSIONS = ['v1', 'v2', 'v3', 'v4'];

export interface SoakResult {
  seed: number;
  planned: number;
  done: number;
  byKind: Record<string, { count: number; ms: number }>;
  requests: number;
  failed: number;
  /** Reused keep-alive connections reset before any byte, retried once (not failures). */
  retriedResets: number;
  /** New connections reset before any byte (Caddy's reload on 2.6.2); counted apart, not hidden. */
  freshResets: number;
  failures: string[];
  totalMs: number;
  first: InvariantFigures;
  last: InvariantFigures;
  maxStateBytes: number;
  maxCaddyRssKiB: number;
  benchHeapMiB: { first: number; last: number };
  /** Set when the soak stopped early: the operation and why. */
  broken: string | undefined;
}

/** mulberry32: a small seeded generator, so a sequence can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


const heapMiB = (): number => Math.round(process.memoryUsage().heapUsed / 2 ** 20);

export async function runSoakScenario(docker: Docker, count: number, seed: number, signal: AbortSignal): Promise<SoakResult> {
  const scope = testScope('bench-soak');
  const random = seeded(seed);
  say(`soak: ${count} operations, seed ${seed}; building images ${VERSIONS.join(', ')} (${scope.prefix}-app)`);
  await Promise.all(VERSIONS.map((v) => buildTestImage(docker, scope, v)));
  const project = await createBenchProject(docker, scope, { drainTimeout: '10' });
  let load: LoadRun | undefined;
  const began = Date.now();
  const byKind: SoakResult['byKind'] = {};
  const samples: LoadSample[] = [];
  let done = 0;
  let broken: string | undefined;
  let first: InvariantFigures | undefined;
  let last: InvariantFigures | undefined;
  let maxStateBytes = 0;
  let maxCaddyRssKiB = 0;
  let heapFirst = 0;
  try {
    // Two deploys first: a warm standby and a previous release to roll back to, as on a project in use.
    for (const version of ['v1', 'v2']) {
      const initial = await runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'deploy', version]);
      if (initial.code !== 0) throw new Error(`the first deploy of ${version} failed: ${initial.stderr}`);
    }
    let checked = await checkInvariants(docker, scope, project);
    first = checked.figures;
    heapFirst = heapMiB();
    const ctx = { project, versions: VERSIONS, random };
    for (let n = 1; n <= count; n += 1) {
      signal.throwIfAborted();
      const kind: SoakKind = drawKind(random);
      // A light load for each operation: 2 keep-alive and 1 fresh-connection client, 1 client of 500 ms requests.
      load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 2, freshClients: 1, slowClients: 1, slowMs: 500, postEvery: 5, maxDurationMs: 180_000 });
      let step: Awaited<ReturnType<typeof runSoakOperation>> | undefined;
      try {
        step = await runSoakOperation(ctx, kind, checked.state);
        checked = await checkInvariants(docker, scope, project);
      } catch (error) {
        broken = `operation ${n} (${kind}): ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        samples.push(...(await load.stop()));
        load = undefined;
      }
      if (broken !== undefined || step === undefined) break;
      done = n;
      last = checked.figures;
      maxStateBytes = Math.max(maxStateBytes, last.stateBytes);
      maxCaddyRssKiB = Math.max(maxCaddyRssKiB, last.caddyRssKiB);
      const entry = byKind[kind] ?? { count: 0, ms: 0 };
      byKind[kind] = { count: entry.count + 1, ms: entry.ms + step.ms };
      if (n % 10 === 0 || n === count) {
        const failed = samples.filter((s) => s.error !== undefined).length;
        say(`  ${n}/${count}: ${step.description} (${formatMs(step.ms)}); ${samples.length} requests so far, ${failed} failed, state file ${last.stateBytes} B, Caddy RSS ${Math.round(last.caddyRssKiB / 1024)} MiB`);
      }
    }
  } finally {
    await tearDownScenario(docker, scope, project, load);
  }
  const failedSamples = samples.filter((s) => s.error !== undefined);
  const fallback: InvariantFigures = { stateBytes: 0, historyEntries: 0, caddyRssKiB: 0, files: [], networks: 0, volumes: 0 };
  return {
    seed,
    planned: count,
    done,
    byKind,
    requests: samples.length,
    failed: failedSamples.length,
    retriedResets: samples.reduce((sum, s) => sum + s.resets, 0),
    freshResets: samples.filter((s) => s.freshReset).length,
    failures: [...new Set(failedSamples.map((s) => `${s.kind}/${s.connection}: ${s.error}`))].slice(0, 10),
    totalMs: Date.now() - began,
    first: first ?? fallback,
    last: last ?? first ?? fallback,
    maxStateBytes,
    maxCaddyRssKiB,
    benchHeapMiB: { first: heapFirst, last: heapMiB() },
    broken,
  };
}
