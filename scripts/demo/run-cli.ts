/**
 * Runs the real cutover CLI, built (`node dist/cli.js ...`, as `npm run cutover`
 * and scripts/deploy.sh do; scripts/demo.sh builds it first), as a child process
 * with `--log-format json`, shows each log line as the human format would
 * (indented), passes stdout through, and keeps the events with their times
 * so the demo can report phase durations and when the switch happened.
 * The printed command is the one to type.
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
  const cliArgs = [...globalArgs, ...args];
  const command = `node dist/cli.js ${cliArgs.join(' ')}`;
  process.stdout.write(`$ ${command}\n`);
  const startedAt = Date.now();
  const cli = path.join(repoDir, 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, '--log-format', 'json', ...cliArgs], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
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
      // Not a log event: the CLI's own error and hint lines, or node's.
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
