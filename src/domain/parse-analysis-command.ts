import { parseDuration } from '../config/parse-duration.js';
import { splitCommand } from '../config/split-command.js';
import { UsageError } from '../errors.js';

export interface AnalysisCommand {
  /** The program and its arguments, split like a Compose `command:` (no shell: write `sh -c '...'` for one). */
  argv: string[];
  /** How long one run may take; a run still going then is killed and counts as a failed check. */
  timeoutMs: number;
}

export const DEFAULT_ANALYSIS_CMD_TIMEOUT = '30s';

/** Checks `--analysis-cmd` and `--analysis-cmd-timeout`; undefined when no command was given. */
export function parseAnalysisCommand(text: string | undefined, timeoutText: string | undefined): AnalysisCommand | undefined {
  if (text === undefined) {
    if (timeoutText !== undefined) throw new UsageError('--analysis-cmd-timeout applies only with --analysis-cmd', { hint: "add --analysis-cmd '<command>' or drop the timeout" });
    return undefined;
  }
  const argv = splitCommand(text);
  if (argv === undefined) throw new UsageError(`--analysis-cmd ${text} has a quote that is not closed`, { hint: "close the quote, e.g. --analysis-cmd 'sh -c \"curl -fs http://127.0.0.1:8080/health\"'" });
  if (argv.length === 0 || argv[0] === '') throw new UsageError('--analysis-cmd is empty', { hint: "name a program to run at each analysis look, e.g. --analysis-cmd './smoke-test.sh'" });
  const timeout = timeoutText ?? DEFAULT_ANALYSIS_CMD_TIMEOUT;
  const timeoutMs = parseDuration(timeout);
  if (timeoutMs === undefined || timeoutMs < 100 || timeoutMs > 3_600_000) {
    throw new UsageError(`--analysis-cmd-timeout ${timeout} is not a duration from 100ms to 1h`, { hint: 'e.g. --analysis-cmd-timeout 30s' });
  }
  return { argv, timeoutMs };
}
