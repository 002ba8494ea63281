import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrationSpec, planMigration, previousMigration, type MigrationPlan } from '../../../src/domain/plan-migration.js';
import type { HistoryEntry } from '../../../src/state/state-schema.js';
import { makeColoredService, makeSpec } from '../../fixtures/make-service.js';

const one = { colored: [makeColoredService('web', () => ({}))] };
const two = { colored: [makeColoredService('web', () => ({})), makeColoredService('api', () => ({}))] };

describe('planMigration', () => {
  const cases: Array<[string, typeof one, { migrate?: string; migrateService?: string }, MigrationPlan | undefined | RegExp]> = [
    ['no flag: no migration', two, {}, undefined],
    ['the only colored service by default', one, { migrate: 'npm run migrate' }, { service: 'web', command: 'npm run migrate', argv: ['npm', 'run', 'migrate'] }],
    ['quoted words like Compose', two, { migrate: ' sh -c "echo a; exit 1" ', migrateService: 'api' }, { service: 'api', command: 'sh -c "echo a; exit 1"', argv: ['sh', '-c', 'echo a; exit 1'] }],
    ['several services need --migrate-service', two, { migrate: 'true' }, /needs --migrate-service <service> .*web, api/],
    ['an unknown service', two, { migrate: 'true', migrateService: 'db' }, /"db" is not a colored service; choose one of web, api/],
    ['--migrate-service alone', one, { migrateService: 'web' }, /needs --migrate "<command>"/],
    ['an empty command', one, { migrate: '   ' }, /needs a command/],
    ['an open quote', one, { migrate: 'sh -c "x' }, /quote that is not closed/],
  ];
  for (const [name, project, flags, expected] of cases) {
    test(name, () => {
      const planned = planMigration(project, flags);
      if (expected instanceof RegExp) {
        assert.equal(planned.ok, false);
        if (!planned.ok) assert.match(planned.problem, expected);
      } else {
        assert.deepEqual(planned, { ok: true, migration: expected });
      }
    });
  }
});

test('migrationSpec keeps environment, volumes, networks and image; drops aliases, ports, healthcheck, restart and the fixed name', () => {
  const spec = makeSpec({
    name: 'web',
    environment: { DATABASE_URL: 'postgres://db' },
    volumes: [{ type: 'volume', source: 'data', target: '/data', readOnly: false }],
    networks: [{ key: 'net', aliases: ['web-green', 'web'] }],
    ports: [{ containerPort: 3000, hostPort: 8081, hostIp: '127.0.0.1', protocol: 'tcp' }],
    expose: [3000],
    healthcheck: { test: ['CMD', 'true'], intervalMs: undefined, timeoutMs: undefined, retries: undefined, startPeriodMs: undefined },
    restart: 'always',
    replicas: 3,
    containerName: 'web-green',
  });
  const migration = migrationSpec(spec, ['npm', 'run', 'migrate']);
  assert.deepEqual(migration, {
    ...spec,
    command: ['npm', 'run', 'migrate'],
    ports: [],
    expose: [],
    networks: [{ key: 'net', aliases: [] }],
    healthcheck: 'disabled',
    restart: undefined,
    replicas: 1,
    containerName: undefined,
  });
});

describe('previousMigration', () => {
  const plan: MigrationPlan = { service: 'web', command: 'npm run migrate', argv: ['npm', 'run', 'migrate'] };
  const entry = (id: string, migration: HistoryEntry['migration'], outcome: HistoryEntry['outcome'] = 'interrupted'): HistoryEntry => ({
    id,
    kind: 'deploy',
    version: 'v2',
    color: 'green',
    fromVersion: 'v1',
    fromColor: 'blue',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    outcome,
    ...(migration === undefined ? {} : { migration }),
  });
  const ran = { service: 'web', command: 'npm run migrate', imageId: 'sha256:aa', status: 'succeeded' as const, exitCode: 0 };
  test('found: the same command, service and image succeeded, whatever became of its operation', () => {
    assert.equal(previousMigration([entry('d1', ran)], plan, 'sha256:aa')?.id, 'd1');
    assert.equal(previousMigration([entry('d1', ran, 'succeeded'), entry('d2', undefined)], plan, 'sha256:aa')?.id, 'd1');
  });
  const misses: Array<[string, HistoryEntry[]]> = [
    ['another image', [entry('d1', { ...ran, imageId: 'sha256:bb' })]],
    ['another command', [entry('d1', { ...ran, command: 'npm run seed' })]],
    ['another service', [entry('d1', { ...ran, service: 'api' })]],
    ['it failed', [entry('d1', { ...ran, status: 'failed', exitCode: 1 })]],
    ['it was cut off while running', [entry('d1', { ...ran, status: 'running', exitCode: undefined })]],
    ['no migration recorded', [entry('d1', undefined)]],
  ];
  for (const [name, history] of misses) {
    test(`not found: ${name}`, () => assert.equal(previousMigration(history, plan, 'sha256:aa'), undefined));
  }
});
