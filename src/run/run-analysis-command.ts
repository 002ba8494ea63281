import { spawn } from 'node:child_process';
import { lastLines } from '../domain/last-lines.js';
import { formatDuration } from '../domain/format-duration.js';

export interface AnalysisCommandRun {
  ok: boolean;
  /** Why the check failed, one line: the exit code, the signal, the timeout or the spawn error. */
  reason?: string;
  /** The last lines of its stdout and stderr together. */
  tail: string[];
  elapsedMs: number;
}

const TAIL_LINES = 5;
/** Output kept in memory per run; older output is dropped, only the last lines are logged. */
const MAX_OUTPUT_CHARS = 64 * 1024;

/**
 * Runs one check of `--analysis-cmd` without a shell, with `env` on top of
 * cutover's environment, in `cwd`. Exit 0 passes; any other exit, a signal,
 * a program that cannot be started, or a run longer than `timeoutMs` (killed)
 * fails. Aborting `signal` kills the run and resolves as failed.
 */
export function runAnalysisCommand(argv: readonly string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number; signal: AbortSignal }): Promise<AnalysisCommandRun> {
  const started = performance.now();
  const [program = '', ...args] = argv;
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let spawnError: Error | undefined;
    const child = spawn(program, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    options.signal.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => (spawnError = error));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', kill);
      const elapsedMs = performance.now() - started;
      const tail = lastLines(output, TAIL_LINES);
      const reason = timedOut
        ? `analysis command ${program} did not finish within ${formatDuration(options.timeoutMs)} (killed; a check that does not finish fails)`
        : spawnError !== undefined
          ? `analysis command ${program} could not be started: ${(spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : spawnError.message}`
          : code !== 0
            ? `analysis command ${program} failed with ${code === null ? `signal ${signal ?? 'unknown'}` : `exit code ${code}`}${tail.length > 0 ? `: ${tail.at(-1)}` : ''}`
            : undefined;
      resolve(reason === undefined ? { ok: true, tail, elapsedMs } : { ok: false, reason, tail, elapsedMs });
    });
  });
}
