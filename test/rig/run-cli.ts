import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The CLI the tests run. scripts/test.sh builds it once per run and names it in
 * CUTOVER_TEST_CLI (the built CLI starts at once; through tsx each call spends
 * 1.5 to 2 s compiling). A test file started on its own runs the sources through tsx.
 */
const BUILT_CLI = process.env.CUTOVER_TEST_CLI;
const SOURCE_CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const CLI_ARGV: readonly string[] = BUILT_CLI !== undefined && BUILT_CLI !== '' ? [BUILT_CLI] : ['--import', 'tsx', SOURCE_CLI];

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line that runs the real CLI, for tests that need a shell around it (pipes). */
export function cliCommandLine(args: string[]): string[] {
  return [process.execPath, ...CLI_ARGV, ...args];
}

/** Runs the real CLI (`cutover ...`) as a child process, as a user would. */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGV, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Starts the real CLI and hands back the process, for tests that signal it mid-way. */
export function spawnCli(args: string[], options: { env?: Record<string, string> } = {}): { child: ChildProcessWithoutNullStreams; stderr: () => string; done: Promise<number> } {
  const child = spawn(process.execPath, [...CLI_ARGV, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.resume();
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, stderr: () => stderr, done };
}
