import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostModeProject } from '../test/rig/host-mode-project.js';
import { runCli, spawnCli, type CliRun } from '../test/rig/run-cli.js';
import { waitUntil } from '../test/rig/wait-until.js';
import type { SoakState } from './soak-invariants.js';

/** Latency is not what the soak judges: a busy machine makes a fresh container slow, and the canary's analysis would abort it. */
const LENIENT = ['--max-latency-p99', '60s', '--max-error-rate', '50%'];

/** The kinds of operation the soak draws from, with their weights (how often each is drawn). */
export const SOAK_KINDS = {
  deploy: 22,
  rollback: 14,
  canary: 8,
  'canary-promote': 8,
  'canary-abort': 8,
  cleanup: 6,
  kill: 34,
} as const;
export type SoakKind = keyof typeof SOAK_KINDS;

/**
 * Where a killed command is SIGKILLed: the first log line matching the marker
 * (its JSON log, never a sleep). A command that ends before the marker is
 * logged (e.g. nothing to drain) is simply finished.
 */
const KILLS: Array<{ what: string; args: (version: string) => string[]; marker: RegExp }> = [
  { what: 'deploy, while starting', args: (v) => ['deploy', v], marker: /"event":"container\.started"/ },
  { what: 'deploy, while waiting for health', args: (v) => ['deploy', v], marker: /"phase":"waiting-healthy"/ },
  { what: 'deploy, right after the switch', args: (v) => ['deploy', v], marker: /"event":"switch\.acknowledged"/ },
  { what: 'deploy, while draining', args: (v) => ['deploy', v], marker: /"phase":"draining"/ },
  { what: 'rollback, right after the switch', args: () => ['rollback'], marker: /"event":"switch\.acknowledged"/ },
  { what: 'canary, in its first step', args: (v) => ['deploy', v, '--canary', '30,60', '--step-interval', '2s', ...LENIENT], marker: /"event":"canary\.step"/ },
  { what: 'canary, while paused', args: (v) => ['deploy', v, '--canary', '30,pause', '--step-interval', '1s', ...LENIENT], marker: /"event":"canary\.paused"/ },
  { what: 'cleanup, while removing', args: () => ['cleanup'], marker: /"event":"cleanup\.start"/ },
];

/** The commands that settle a killed one (each must finish or undo it first, then do its own job). */
const SETTLERS: Array<(version: string) => string[]> = [() => ['reconcile'], (v) => ['deploy', v], () => ['rollback'], () => ['promote'], () => ['abort'], () => ['status']];

export interface SoakStep {
  kind: SoakKind;
  /** What ran, in words, for the log and the report. */
  description: string;
  ms: number;
}

export interface SoakContext {
  project: HostModeProject;
  versions: string[];
  random: () => number;
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** Draws a kind by SOAK_KINDS' weights. */
export function drawKind(random: () => number): SoakKind {
  const total = Object.values(SOAK_KINDS).reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (const [kind, weight] of Object.entries(SOAK_KINDS) as Array<[SoakKind, number]>) {
    r -= weight;
    if (r < 0) return kind;
  }
  return 'deploy';
}

function cli(ctx: SoakContext, args: string[]): Promise<CliRun> {
  return runCli(['-C', ctx.project.dir, '--caddy-admin', ctx.project.caddy.adminAddress, ...args]);
}

function expectExit(run: CliRun, codes: number[], what: string): void {
  if (!codes.includes(run.code)) throw new Error(`${what} exited ${run.code}, expected ${codes.join(' or ')}\n${run.stderr.slice(-3000)}`);
}

/** The operation the state file records (null: none open). */
async function recordedOperation(ctx: SoakContext): Promise<unknown> {
  const state = JSON.parse(await readFile(path.join(ctx.project.dir, 'caddy', 'cutover-state.json'), 'utf8')) as { operation?: unknown };
  return state.operation ?? null;
}

/** A version other than the live one (so every deploy changes something). */
function nextVersion(ctx: SoakContext, state: SoakState): string {
  return pick(ctx.random, ctx.versions.filter((v) => v !== state.active?.version));
}

/** Starts `args` with a JSON log; resolves when its log matches `marker` (true) or it ended first (false). */
async function startUntil(ctx: SoakContext, args: string[], marker: RegExp): Promise<{ run: ReturnType<typeof spawnCli>; reached: boolean }> {
  const run = spawnCli(['-C', ctx.project.dir, '--caddy-admin', ctx.project.caddy.adminAddress, '--log-format', 'json', ...args]);
  const reached = await waitUntil(`${args.join(' ')} to log ${marker}`, 120_000, () => {
    if (marker.test(run.stderr())) return true;
    if (run.child.exitCode !== null) return false;
    return undefined;
  }).catch((error: unknown) => {
    run.child.kill('SIGKILL');
    throw error;
  });
  return { run, reached };
}

/** Runs one operation of `kind` against the project as it is (`state`). */
export async function runSoakOperation(ctx: SoakContext, kind: SoakKind, state: SoakState): Promise<SoakStep> {
  const began = Date.now();
  const done = (description: string): SoakStep => ({ kind, description, ms: Date.now() - began });
  const version = nextVersion(ctx, state);
  switch (kind) {
    case 'deploy': {
      expectExit(await cli(ctx, ['deploy', version]), [0], `deploy ${version}`);
      return done(`deploy ${version}`);
    }
    case 'rollback': {
      if (state.standby === null) {
        expectExit(await cli(ctx, ['deploy', version]), [0], `deploy ${version}`);
        return done(`deploy ${version} (no standby to roll back to)`);
      }
      expectExit(await cli(ctx, ['rollback']), [0], 'rollback');
      return done(`rollback to ${state.standby.version}`);
    }
    case 'canary': {
      // 14: the canary's own analysis aborted it (a busy machine can make the new color look slower); traffic is back, which the checks verify.
      const run = await cli(ctx, ['deploy', version, '--canary', '25,50', '--step-interval', '1s', ...LENIENT]);
      expectExit(run, [0, 14], `canary ${version}`);
      return done(`canary ${version} 25,50${run.code === 14 ? ' (aborted by its analysis)' : ''}`);
    }
    case 'canary-promote':
    case 'canary-abort': {
      const action = kind === 'canary-promote' ? 'promote' : 'abort';
      const { run, reached } = await startUntil(ctx, ['deploy', version, '--canary', '30,pause', '--step-interval', '1s', ...LENIENT], /"event":"canary\.paused"/);
      if (!reached && run.child.exitCode === 14) return done(`canary ${version} aborted by its analysis before the pause`);
      if (!reached) throw new Error(`the canary of ${version} ended (exit ${run.child.exitCode}) before it paused\n${run.stderr().slice(-3000)}`);
      expectExit(await cli(ctx, [action]), [0], action);
      const code = await run.done;
      // An aborted canary's own process exits 14 (canary aborted); a promoted one 0.
      if (code !== (action === 'promote' ? 0 : 14)) throw new Error(`the canary of ${version} exited ${code} after ${action}\n${run.stderr().slice(-3000)}`);
      return done(`canary ${version} paused at 30%, then ${action}`);
    }
    case 'cleanup': {
      expectExit(await cli(ctx, ['cleanup']), [0], 'cleanup');
      return done('cleanup');
    }
    case 'kill': {
      const kill = pick(ctx.random, KILLS);
      const { run, reached } = await startUntil(ctx, kill.args(version), kill.marker);
      run.child.kill('SIGKILL');
      await run.done;
      const settler = pick(ctx.random, SETTLERS)(nextVersion(ctx, state));
      const settle = await cli(ctx, settler);
      // status only reads: it exits 13 while an interrupted operation is recorded (and names reconcile), and 0 for a
      // canary paused at a step, which waits for a human whether or not its process lives (promote or abort settle
      // it); promote/abort refuse without a canary. Then the user's next step, reconcile, settles what is left.
      if (settler[0] === 'status' || settler[0] === 'promote' || settler[0] === 'abort') {
        const open = settle.code !== 0 || (await recordedOperation(ctx)) !== null;
        if (open) expectExit(await cli(ctx, ['reconcile']), [0], 'reconcile');
      } else {
        expectExit(settle, [0], settler.join(' '));
      }
      return done(`${kill.what} ${reached ? 'killed' : '(ended before the kill)'}; then ${settler.join(' ')}`);
    }
  }
}
