import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { HostModeProject } from './host-mode-project.js';
import { httpGet } from './http-get.js';
import { runCli, spawnCli } from './run-cli.js';
import { waitUntil } from './wait-until.js';

/** The state file as the crash tests read it. */
export interface RecordedState {
  active: { color: string; version: string } | null;
  standby: { color: string; version: string } | null;
  operation: unknown;
  history: Array<{ kind: string; version: string; outcome: string; reason?: string; recovered?: { by: string; phase: string; direction: string } }>;
}

/**
 * What the fault-injection tests share: the CLI on one project, its state
 * file and containers, a kill at a log marker, and the invariant every case
 * ends with (see docs/crash-safety.md).
 */
export function crashHarness(docker: Docker, project: () => HostModeProject, adminAddress: () => string = () => project().caddy.adminAddress) {
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(['-C', project().dir, '--caddy-admin', adminAddress(), ...args], { env });
  const state = async (): Promise<RecordedState> => JSON.parse(await readFile(path.join(project().dir, 'caddy', 'cutover-state.json'), 'utf8')) as RecordedState;
  const containers = async () =>
    (await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project().name}`] } })).map((c) => ({
      name: (c.Names[0] ?? '').slice(1),
      color: c.Labels['cutover.color'],
      version: c.Labels['cutover.version'],
      state: c.State,
    }));

  /**
   * Starts `cutover <args> --log-format json` and SIGKILLs it as soon as its log
   * has `marker`. A phase that lasts milliseconds is held with the test seam
   * CUTOVER_TEST_HANG_AFTER_PHASE (the process waits right after the journal
   * recorded it), so the kill lands there every time.
   */
  async function killAt(args: string[], marker: RegExp, env: Record<string, string> = {}): Promise<void> {
    const run = spawnCli(['-C', project().dir, '--caddy-admin', adminAddress(), '--log-format', 'json', ...args], { env });
    try {
      await waitUntil(`${args.join(' ')} to log ${marker}`, 60_000, () => {
        if (marker.test(run.stderr())) return true;
        if (run.child.exitCode !== null) throw new Error(`it ended (exit ${run.child.exitCode}) before logging ${marker}`);
        return undefined;
      });
    } catch (error) {
      run.child.kill('SIGKILL');
      throw new Error(`${String(error)}\n${run.stderr()}`);
    }
    run.child.kill('SIGKILL');
    await run.done;
  }

  /** The invariant every case ends with. */
  async function assertSettled(context: string): Promise<RecordedState> {
    const recorded = await state();
    assert.equal(recorded.operation, null, `${context}: no operation is left open`);
    assert.ok(recorded.active !== null, `${context}: a color is recorded as active`);
    for (let i = 0; i < 10; i += 1) {
      const answer = await httpGet(project().caddy.url('/version'));
      assert.deepEqual([answer.status, answer.body], [200, recorded.active.version], `${context}: every request reaches the recorded version`);
    }
    const all = await containers();
    assert.deepEqual(all.filter((c) => c.name.includes('-parked-')), [], `${context}: no parked container is left`);
    const colors = new Map<string, string>([[recorded.active.color, recorded.active.version]]);
    if (recorded.standby !== null) colors.set(recorded.standby.color, recorded.standby.version);
    for (const c of all) {
      assert.equal(colors.get(c.color ?? ''), c.version, `${context}: ${c.name} (${c.color} ${c.version}) belongs to a recorded color`);
      assert.equal(c.state, 'running', `${context}: ${c.name} runs`);
    }
    const live = all.filter((c) => c.color === recorded.active?.color);
    assert.equal(live.length, project().services.length, `${context}: the active color has its containers`);
    await assert.rejects(readFile(path.join(project().dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' }, `${context}: the lock is released`);
    // A Caddy restart must come back on the active color: the snippets it imports name it.
    const snippets = await readFile(path.join(project().dir, 'caddy', 'cutover-upstreams.caddy'), 'utf8');
    assert.match(snippets, new RegExp(`# Every service below points at ${recorded.active.color}\\.`), `${context}: the upstream snippets name the active color\n${snippets}`);
    const status = await cli(['status', '--json']);
    assert.equal(status.code, 0, `${context}: status is clean afterwards\n${status.stdout}\n${status.stderr}`);
    return recorded;
  }

  return { cli, state, containers, killAt, assertSettled };
}

