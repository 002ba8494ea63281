import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { HostModeProject } from '../test/rig/host-mode-project.js';
import { httpGet } from '../test/rig/http-get.js';
import type { TestScope } from '../test/rig/run-id.js';

/** The state file as the soak reads it. */
export interface SoakState {
  active: { color: string; version: string } | null;
  standby: { color: string; version: string } | null;
  operation: unknown;
  history: Array<{ kind: string; version: string; outcome: string; recovered?: { direction: string } }>;
}

/** What one check saw, for the figures (sizes that must stay bounded). */
export interface InvariantFigures {
  stateBytes: number;
  historyEntries: number;
  caddyRssKiB: number;
  files: string[];
  networks: number;
  volumes: number;
}

export async function readSoakState(project: HostModeProject): Promise<SoakState> {
  return JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8')) as SoakState;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/**
 * The invariant after every operation of the soak (the same as the crash
 * tests', test/rig/crash-harness.ts): nothing open in the journal, the lock
 * released, one live color answering every request with the recorded version
 * on both services, no parked container, every container of a recorded color
 * and version and running, the active color complete. Throws naming what is
 * wrong; returns the sizes that must stay bounded.
 */
export async function checkInvariants(docker: Docker, scope: TestScope, project: HostModeProject): Promise<{ state: SoakState; figures: InvariantFigures }> {
  const state = await readSoakState(project);
  const fail = (what: string): never => {
    throw new Error(`invariant broken: ${what}\nstate: ${JSON.stringify({ active: state.active, standby: state.standby, operation: state.operation, last: state.history.at(-1) })}`);
  };
  if (state.operation !== null) fail('an operation is left open');
  if (state.active === null) fail('no active color recorded');
  const active = state.active as NonNullable<SoakState['active']>;
  const caddyDir = path.join(project.dir, 'caddy');
  const files = (await readdir(caddyDir)).sort();
  if (files.includes('cutover.lock')) fail('the lock is left');
  for (const url of ['/version', '/api/version', '/version', '/api/version']) {
    const answer = await httpGet(project.caddy.url(url));
    if (answer.status !== 200 || answer.body !== active.version) fail(`${url} answered ${answer.status} ${answer.body}, not ${active.version}`);
  }
  const containers = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } });
  const recorded = new Map<string, string>([[active.color, active.version]]);
  if (state.standby !== null) recorded.set(state.standby.color, state.standby.version);
  for (const c of containers) {
    const name = (c.Names[0] ?? '').slice(1);
    if (name.includes('-parked-')) fail(`parked container left: ${name}`);
    const color = c.Labels['cutover.color'] ?? '';
    if (recorded.get(color) !== c.Labels['cutover.version']) fail(`${name} (${color} ${c.Labels['cutover.version']}) belongs to no recorded color`);
    if (c.State !== 'running') fail(`${name} is ${c.State}`);
  }
  const live = containers.filter((c) => c.Labels['cutover.color'] === active.color).length;
  if (live !== project.services.length) fail(`the active color has ${live} containers, not ${project.services.length}`);
  const labelled = { label: [`cutover.test.scope=${scope.prefix}`] };
  const networks = (await docker.listNetworks({ filters: labelled })).length;
  const volumes = ((await docker.listVolumes({ filters: labelled })).Volumes ?? []).length;
  return {
    state,
    figures: {
      stateBytes: (await stat(path.join(caddyDir, 'cutover-state.json'))).size,
      historyEntries: state.history.length,
      caddyRssKiB: await rssKiB(project.caddy.pid),
      files,
      networks,
      volumes,
    },
  };
}
