import type { AnalysisCommand } from '../domain/parse-analysis-command.js';
import { formatDuration } from '../domain/format-duration.js';
import type { Logger } from '../log.js';
import { sleep } from '../sleep.js';
import { runAnalysisCommand } from './run-analysis-command.js';

export interface AnalysisChecks {
  /** The step is over: no new run; waits for the one under way (bounded by its timeout), whose verdict still counts. */
  finish(): Promise<void>;
  /** Kills the run under way (its verdict is dropped) and waits until it has ended. */
  stop(): Promise<void>;
}

export interface AnalysisChecksOptions {
  command: AnalysisCommand;
  cwd: string;
  /** The CUTOVER_* variables of the n-th run (1-based) of this step. */
  env: (look: number) => Record<string, string>;
  /** Pause between the end of one run and the start of the next. */
  pauseMs: number;
  logger: Logger;
  /** Called once, with the reason, at the first failed run; no run follows. */
  onFailure: (reason: string) => void;
}

/**
 * Runs `--analysis-cmd` at every analysis look of a canary step: the first run
 * at once, then one run at a time with `pauseMs` between them, until the step
 * is over or a run fails.
 */
export function startAnalysisChecks(options: AnalysisChecksOptions): AnalysisChecks {
  const { command, logger } = options;
  const stopping = new AbortController();
  const finishing = new AbortController();
  const loop = (async () => {
    for (let look = 1; !stopping.signal.aborted; look += 1) {
      const run = await runAnalysisCommand(command.argv, { cwd: options.cwd, env: options.env(look), timeoutMs: command.timeoutMs, signal: stopping.signal });
      if (stopping.signal.aborted) return;
      const fields = { event: 'canary.analysis-cmd', look, ok: run.ok, elapsedMs: Math.round(run.elapsedMs), output: run.tail };
      if (run.ok) {
        logger.debug(fields, `analysis command passed (look ${look}, ${formatDuration(run.elapsedMs)})${run.tail.length > 0 ? `: ${run.tail.at(-1)}` : ''}`);
      } else {
        logger.info(fields, `  analysis command FAILED (look ${look}): ${run.reason}`);
        for (const line of run.tail) logger.info({ event: 'canary.analysis-cmd.output', look }, `    | ${line}`);
        options.onFailure(run.reason ?? 'analysis command failed');
        return;
      }
      if (finishing.signal.aborted) return;
      await sleep(options.pauseMs, AbortSignal.any([stopping.signal, finishing.signal])).catch(() => undefined);
      if (finishing.signal.aborted) return;
    }
  })();
  return {
    finish: async () => {
      finishing.abort();
      await loop;
    },
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
