import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderSwarmStatus } from '../../../src/domain/status/render-swarm-status.js';
import { buildSwarmStatusReport, type SwarmStatusInput } from '../../../src/domain/status/swarm-status-report.js';
import type { State } from '../../../src/state/state-schema.js';

const at = '2026-01-01T00:00:00.000Z';
const state: State = {
  schemaVersion: 2, project: 'shop', targets: {}, engine: 'swarm', operation: null,
  active: { color: 'green', version: 'v2', since: at },
  standby: { color: 'blue', version: 'v1' },
  history: [
    { id: 'deploy-1', kind: 'deploy', version: 'v1', color: 'blue', fromVersion: null, fromColor: null, startedAt: at, finishedAt: at, outcome: 'succeeded' },
    { id: 'deploy-2', kind: 'deploy', version: 'v2', color: 'green', fromVersion: 'v1', fromColor: 'blue', startedAt: at, finishedAt: at, outcome: 'succeeded' },
  ],
  swarmServices: { blue: ['shop_web-blue'], green: ['shop_web-green'] },
};
const input = (over: Partial<SwarmStatusInput> = {}): SwarmStatusInput => ({
  observedAt: at,
  project: { name: 'shop', dir: '/p', stateFile: 'caddy/cutover-state.json', caddyAdmin: 'unix//a.sock', dockerEndpoint: 'unix:///d.sock' },
  state,
  instances: [{ address: 'unix//a.sock', live: 'green' }],
  swarmServices: [
    { service: 'web', color: 'blue', name: 'shop_web-blue', desired: 2, running: 2 },
    { service: 'web', color: 'green', name: 'shop_web-green', desired: 2, running: 2 },
  ],
  ...over,
});

describe('buildSwarmStatusReport', () => {
  test('live color, standby, per color the services with running/desired tasks, history newest first; exit 0', () => {
    const report = buildSwarmStatusReport(input());
    assert.equal(report.engine, 'swarm');
    assert.equal(report.exitCode, 0);
    assert.equal(report.ok, true);
    assert.deepEqual(report.traffic, { kind: 'color', color: 'green' });
    assert.deepEqual(report.active, { color: 'green', version: 'v2', since: at, images: null });
    assert.deepEqual(report.standby, { color: 'blue', version: 'v1', running: true, stopped: false, detail: [], images: null });
    assert.deepEqual(report.instances, [{ address: 'unix//a.sock', reachable: true, traffic: { kind: 'color', color: 'green' }, drift: false }]);
    assert.deepEqual(report.services, [{ name: 'web', swarmServices: [
      { name: 'shop_web-blue', color: 'blue', desired: 2, running: 2, serving: false },
      { name: 'shop_web-green', color: 'green', desired: 2, running: 2, serving: true },
    ] }]);
    assert.deepEqual(report.history.map((h) => h.id), ['deploy-2', 'deploy-1']);
    assert.deepEqual(report.drift, []);
    assert.deepEqual(report.problems, []);
  });

  test('Caddy on the other color than the state file: drift, exit 13; a standby without running tasks: a warning', () => {
    const report = buildSwarmStatusReport(input({ instances: [{ address: 'unix//a.sock', live: 'blue' }], swarmServices: [{ service: 'web', color: 'blue', name: 'shop_web-blue', desired: 2, running: 0 }] }));
    assert.equal(report.exitCode, 13);
    assert.equal(report.drift[0]?.message, 'the state file records green v2 as active, Caddy sends every service to blue');
    assert.equal(report.instances[0]?.drift, true);
    assert.deepEqual(report.standby, { color: 'blue', version: 'v1', running: false, stopped: false, detail: ['shop_web-blue: 0/2 tasks running'], images: null });
    assert.deepEqual(report.problems.map((p) => [p.kind, p.severity]), [['drift', 'error'], ['standby-not-ready', 'warning']]);
  });

  test('a standby scaled to 0 (deploy --stop-old) is stopped, not a problem: a rollback scales it up first', () => {
    const report = buildSwarmStatusReport(input({ swarmServices: [{ service: 'web', color: 'blue', name: 'shop_web-blue', desired: 0, running: 0 }, { service: 'web', color: 'green', name: 'shop_web-green', desired: 2, running: 2 }] }));
    assert.deepEqual(report.standby, { color: 'blue', version: 'v1', running: true, stopped: true, detail: [], images: null });
    assert.deepEqual(report.problems, []);
    assert.match(renderSwarmStatus(report), /^standby: blue v1 \(scaled to 0\)$/m);
  });

  test('the recorded image identities of the active color and the standby: in the report and one line per service', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const withImages: State = {
      ...state,
      active: { ...state.active!, images: { web: { ref: 'r/web:v2', id: `sha256:${'a'.repeat(64)}`, digest } } },
      standby: { ...state.standby!, images: { web: { ref: 'web:v1', id: `sha256:${'c'.repeat(64)}`, digest: null } } },
    };
    const report = buildSwarmStatusReport(input({ state: withImages }));
    assert.deepEqual(report.active?.images, withImages.active?.images);
    assert.deepEqual(report.standby?.images, withImages.standby?.images);
    assert.equal(renderSwarmStatus(report).split('\n').slice(1, 5).join('\n'), 'live: green v2\n  web: r/web:v2@sha256:bbbbbbbbbbbb\nstandby: blue v1\n  web: web:v1 (local image sha256:cccccccccccc)');
  });

  test('an unreachable instance: its exit code, traffic unknown there and mixed overall, no drift judged', () => {
    const report = buildSwarmStatusReport(input({ instances: [{ address: 'unix//a.sock', live: 'green' }, { address: 'unix//b.sock', failure: { kind: 'caddy-unreachable', message: 'no answer', hint: null, exitCode: 4 } }] }));
    assert.equal(report.exitCode, 4);
    assert.equal(report.traffic.kind, 'mixed');
    assert.deepEqual(report.instances[1], { address: 'unix//b.sock', reachable: false, traffic: { kind: 'unknown', reason: 'no answer' }, drift: null });
    assert.deepEqual(report.drift, []);
  });

  test('before the first deploy: nothing recorded, no color named, no services, exit 0', () => {
    const report = buildSwarmStatusReport(input({ state: null, instances: [{ address: 'unix//a.sock', live: undefined }], swarmServices: [] }));
    assert.equal(report.exitCode, 0);
    assert.equal(report.traffic.kind, 'unknown');
    assert.equal(report.active, null);
    assert.equal(report.standby, null);
    assert.deepEqual(report.services, []);
  });
});

describe('renderSwarmStatus', () => {
  test('the text lines: live with its version, standby, each color\'s services', () => {
    assert.equal(renderSwarmStatus(buildSwarmStatusReport(input())), 'engine: swarm\nlive: green v2\nstandby: blue v1\nblue shop_web-blue: 2/2 tasks running\ngreen shop_web-green: 2/2 tasks running\n');
  });

  test('drift, an open operation and several instances each get a line', () => {
    const operation = { id: 'deploy-3', kind: 'deploy' as const, fromColor: 'green' as const, toColor: 'blue' as const, fromVersion: 'v2', toVersion: 'v3', phase: 'waiting-healthy', phaseStartedAt: at, phases: [], startedAt: at, pid: 42, host: 'h', stopOld: false, previousStandby: null, parked: [] };
    const text = renderSwarmStatus(buildSwarmStatusReport(input({ state: { ...state, operation }, instances: [{ address: 'unix//a.sock', live: 'blue' }, { address: 'unix//b.sock', live: 'blue' }], swarmServices: [] })));
    assert.equal(text, [
      'engine: swarm', 'live: blue', 'drift: the state file records green v2 as active', 'standby: blue v1',
      'operation: deploy to v3 (blue) open, phase waiting-healthy, pid 42 on h', 'caddy unix//a.sock: blue (drift)', 'caddy unix//b.sock: blue (drift)', '',
    ].join('\n'));
  });

  test('an open operation whose process does not hold the lock is interrupted: an error (exit 13) naming cutover --engine swarm reconcile', () => {
    const operation = { id: 'deploy-3', kind: 'deploy' as const, fromColor: 'green' as const, toColor: 'blue' as const, fromVersion: 'v2', toVersion: 'v3', phase: 'waiting-healthy', phaseStartedAt: at, phases: [], startedAt: at, pid: 42, host: 'h', stopOld: false, previousStandby: null, parked: [] };
    const dead = buildSwarmStatusReport(input({ state: { ...state, operation }, lock: { kind: 'held', holder: { pid: 42, host: 'h', command: 'deploy v3', startedAt: at }, liveness: 'dead' } }));
    assert.equal(dead.operation?.status, 'interrupted');
    assert.equal(dead.exitCode, 13);
    const problem = dead.problems.find((p) => p.kind === 'operation-interrupted');
    assert.match(problem?.message ?? '', /^an interrupted deploy to v3 \(blue\) is recorded: its process \(pid 42 on h\) died in phase waiting-healthy/);
    assert.match(problem?.hint ?? '', /^run cutover --engine swarm reconcile to settle it/);
    assert.match(renderSwarmStatus(dead), /^operation: deploy to v3 \(blue\) interrupted \(its process is gone\), phase waiting-healthy, pid 42 on h$/m);
    assert.equal(buildSwarmStatusReport(input({ state: { ...state, operation }, lock: { kind: 'free' } })).operation?.status, 'interrupted', 'no lock at all: interrupted too');
    const running = buildSwarmStatusReport(input({ state: { ...state, operation }, lock: { kind: 'held', holder: { pid: 42, host: 'h', command: 'deploy v3', startedAt: at }, liveness: 'alive' } }));
    assert.equal(running.operation?.status, 'in-progress');
    assert.equal(running.exitCode, 0);
  });
});
