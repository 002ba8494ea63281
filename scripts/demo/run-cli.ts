/**
 * Runs the real cutover CLI (`npx tsx src/cli.ts ...`) as a child process
 * with `--log-format json`, shows each log line as the human format would
 * (indented), passes stdout through, and keeps the events with their times
 * so the demo can report phase durations and when the switch happened.
 *
 * It starts node_modules/.bin/tsx directly: that is the binary `npx tsx`
 * resolves to, without npx's own start-up (seconds on a busy machine), which
 * would only blur the timings. The printed command is the one to type.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface CliEvent {
  event: string;
  /** Epoch ms. */
  at: number;
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CliRun {
  /** The command as a person would type it. */
  command: string;
  code: number;
  startedAt: number;
  endedAt: number;
  events: CliEvent[];
}

const LEVEL_PREFIX: Record<number, string> = { 40: 'warn: ', 50: 'error: ', 60: 'fatal: ' };

function show(prefix: string, text: string): void {
  for (const line of text.replace(/\n$/, '').split('\n')) process.stdout.write(`${prefix}${line}\n`);
}

export async function runCli(repoDir: string, globalArgs: readonly string[], args: readonly string[]): Promise<CliRun> {
  const cliArgs = ['src/cli.ts', ...globalArgs, ...args];
  const command = `npx tsx ${cliArgs.join(' ')}`;
  process.stdout.write(`$ ${command}\n`);
  const startedAt = Date.now();
  const tsx = path.join(repoDir, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['src/cli.ts', '--log-format', 'json', ...cliArgs.slice(1)], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: CliEvent[] = [];
  const stderr = createInterface({ input: child.stderr });
  stderr.on('line', (line) => {
    let record: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) record = parsed as Record<string, unknown>;
    } catch {
      record = undefined;
    }
    if (record === undefined || typeof record.msg !== 'string') {
      // Not a log event: the CLI's own error and hint lines, or tsx's.
      show('  │ ', line);
      return;
    }
    const level = typeof record.level === 'number' ? record.level : 30;
    show(`  │ ${LEVEL_PREFIX[level] ?? ''}`, record.msg);
    if (typeof record.event === 'string') {
      const at = typeof record.time === 'string' ? Date.parse(record.time) : typeof record.time === 'number' ? record.time : Date.now();
      events.push({ ...record, event: record.event, at, level, msg: record.msg });
    }
  });
  const stdout = createInterface({ input: child.stdout });
  stdout.on('line', (line) => show('  │ ', line));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal === null ? 1 : 128)));
  });
  return { command, code, startedAt, endedAt: Date.now(), events };
}
