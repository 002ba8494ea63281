import { spawnCli } from './run-cli.js';
import { waitUntil } from './wait-until.js';

export type RunningCli = ReturnType<typeof spawnCli>;

/**
 * How long a fault test waits for a log marker. Generous on purpose: on a
 * shared 2-core machine a container's start and its first health checks can
 * take a minute. A marker that never comes still fails (the process ended, or
 * this bound).
 */
export const MARKER_TIMEOUT_MS = 240_000;

/** Starts `cutover <args> --log-format json` against a project, for a test that signals it mid-way. */
export function startCli(project: { dir: string; caddy: { adminAddress: string } }, args: string[], env: Record<string, string> = {}): RunningCli {
  return spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, '--log-format', 'json', ...args], { env });
}

/**
 * Waits until the run's log matches `marker`. Throws with its log when it
 * ended first or the bound passed, after killing it (nothing is left running).
 */
export async function untilLogged(run: RunningCli, marker: RegExp, timeoutMs = MARKER_TIMEOUT_MS): Promise<void> {
  try {
    await waitUntil(`the log to show ${marker}`, timeoutMs, () => {
      if (marker.test(run.stderr())) return true;
      if (run.child.exitCode !== null) throw new Error(`it ended (exit ${run.child.exitCode}) before logging ${marker}`);
      return undefined;
    });
  } catch (error) {
    run.child.kill('SIGKILL');
    await run.done;
    throw new Error(`${String(error)}\n${run.stderr()}`);
  }
}

/** SIGKILL, and wait until it is gone. */
export async function killCli(run: RunningCli): Promise<void> {
  run.child.kill('SIGKILL');
  await run.done;
}

/** Starts the command and SIGKILLs it at the first log line matching `marker`. */
export async function killAtMarker(project: { dir: string; caddy: { adminAddress: string } }, args: string[], marker: RegExp, env: Record<string, string> = {}): Promise<void> {
  const run = startCli(project, args, env);
  await untilLogged(run, marker);
  await killCli(run);
}
