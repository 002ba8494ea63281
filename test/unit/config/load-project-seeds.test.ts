import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { ServiceSpec } from '../../../src/config/model.js';
import { planContainer } from '../../../src/adapters/docker/plan-container.js';
import { load, problems } from './temp-project.js';

/**
 * The real compose files of the stack cutover replaces, loaded as projects.
 * The seeds are copied to a temp directory named `tale` (the repository's
 * name, hence Compose's project name there) with a `.env`, which the seeds
 * name in env_file but which is not part of the repository.
 */
const seed = (folder: string): string => fileURLToPath(new URL(`../../fixtures/seed-configs/${folder}`, import.meta.url));
const V1 = seed('bluegreen-v1-9a57a4a74');
const V2 = seed('bluegreen-v2-e7e4acac7');
const FINAL = seed('bluegreen-final-b60f50ce0');
const DOTENV = 'POSTGRES_USER=app\nDOMAIN_HOST=app.example.com\nHOST=app.example.com\nSECRET="s3cret # not a comment"\n';
const LOGGING = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } };

describe('seed bluegreen-v1: overlays redefine compose.yml services', () => {
  test('colored services are merged over compose.yml, per color', async () => {
    const config = await load({ '.env': DOTENV }, { copyFrom: V1, dirName: 'tale' });
    assert.equal(config.projectName, 'tale');
    assert.deepEqual(config.colored.map((c) => [c.name, c.imageFollowsVersion]), [
      ['platform', false],
      ['rag', false],
      ['crawler', false],
      ['search', false],
      ['graph-db', false],
    ]);
    assert.deepEqual(config.shared.map((s) => s.name), ['db', 'proxy']);
    const platform = config.colored[0];
    const blue: ServiceSpec = {
      name: 'platform',
      // Built locally by Compose (build: only): Compose's default image name.
      image: 'tale-platform',
      command: undefined,
      entrypoint: undefined,
      environment: { POSTGRES_USER: 'app', DOMAIN_HOST: 'app.example.com', HOST: 'app.example.com', SECRET: 's3cret # not a comment' },
      labels: {},
      // compose.yml publishes 3000:3000; the overlay says `ports: !reset []`.
      ports: [],
      expose: [],
      volumes: [{ type: 'volume', source: 'platform-convex-data', target: '/app/convex-data', readOnly: false }],
      networks: [{ key: 'internal', aliases: ['platform-blue'] }],
      healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:3000/api/health'], intervalMs: 5000, timeoutMs: 3000, retries: 2, startPeriodMs: 45_000, startIntervalMs: undefined },
      dependsOn: ['db', 'graph-db', 'rag', 'crawler', 'search'],
      dependencyConditions: { db: 'service_started', 'graph-db': 'service_started', rag: 'service_started', crawler: 'service_started', search: 'service_started' },
      stopGracePeriodMs: 10_000,
      stopSignal: undefined,
      replicas: 1,
      containerName: 'tale-platform-blue',
      restart: 'unless-stopped',
      memLimitBytes: undefined,
      logging: LOGGING,
      composeName: 'platform',
    };
    assert.deepEqual(platform?.byColor.blue, blue);
    assert.deepEqual(platform?.byColor.green, { ...blue, containerName: 'tale-platform-green', networks: [{ key: 'internal', aliases: ['platform-green'] }] });
    const rag = config.colored[1]?.byColor.green;
    assert.deepEqual([rag?.containerName, rag?.environment.RAG_CHUNK_SIZE, rag?.dependsOn], ['tale-rag-green', '512', ['db', 'graph-db']]);
  });

  test('shared services, networks and volumes', async () => {
    const config = await load({ '.env': DOTENV }, { copyFrom: V1, dirName: 'tale' });
    const [db, proxy] = config.shared;
    assert.deepEqual(db?.healthcheck, { test: ['CMD-SHELL', 'pg_isready -U app -d tale'], intervalMs: 30_000, timeoutMs: 10_000, retries: 3, startPeriodMs: 60_000, startIntervalMs: undefined });
    assert.deepEqual([db?.image, db?.containerName, db?.ports], ['tale-db', 'tale-db', [{ hostIp: undefined, hostPort: 5432, containerPort: 5432, protocol: 'tcp' }]]);
    assert.deepEqual(proxy?.networks, [{ key: 'internal', aliases: ['app.example.com'] }]);
    assert.deepEqual(proxy?.ports.map((p) => p.hostPort), [80, 443]);
    assert.deepEqual(config.networks, { internal: { name: 'tale_internal', external: false, driver: 'bridge' } });
    assert.deepEqual(config.volumes['caddy-data'], { name: 'tale_caddy-data', external: false, driver: 'local' });
    assert.equal(Object.keys(config.volumes).length, 7);
  });

  test('without the .env that every service names in env_file', async () => {
    const missing = (service: string) => `compose.yml: services.${service}.env_file: .env not found in <dir>`;
    assert.deepEqual(await problems({}, { copyFrom: V1, dirName: 'tale' }), ['db', 'crawler', 'rag', 'platform', 'search', 'proxy'].map(missing));
  });
});

describe('seed bluegreen-final: standalone <service>-<color> overlays with ${VERSION}', () => {
  test('colored services come from the overlays alone; compose.yml\'s dev services are neither merged nor shared', async () => {
    const config = await load({ '.env': DOTENV }, { copyFrom: FINAL, dirName: 'tale', variables: { VERSION: 'v1.4.0' } });
    assert.equal(config.projectName, 'tale');
    assert.deepEqual(config.colored.map((c) => [c.name, c.imageFollowsVersion, c.byColor.blue.image]), [
      ['platform', true, 'ghcr.io/tale-project/tale/tale-platform:v1.4.0'],
      ['rag', true, 'ghcr.io/tale-project/tale/tale-rag:v1.4.0'],
      ['crawler', true, 'ghcr.io/tale-project/tale/tale-crawler:v1.4.0'],
      ['search', true, 'ghcr.io/tale-project/tale/tale-search:v1.4.0'],
    ]);
    assert.deepEqual(config.shared.map((s) => s.name), ['db', 'graph-db', 'proxy']);
    const platform = config.colored[0]?.byColor.green;
    // The overlay's healthcheck, not compose.yml's CMD-SHELL one; no depends_on or build from compose.yml's `platform`.
    assert.deepEqual(platform?.healthcheck, { test: ['CMD', 'curl', '-f', 'http://localhost:3000/api/health'], intervalMs: 5000, timeoutMs: 3000, retries: 3, startPeriodMs: 120_000, startIntervalMs: undefined });
    assert.deepEqual(platform?.dependsOn, []);
    assert.deepEqual(platform?.ports, []);
    assert.equal(platform?.containerName, 'tale-platform-green');
    assert.deepEqual(platform?.networks, [{ key: 'internal', aliases: ['platform-green', 'platform'] }]);
    assert.deepEqual(platform?.volumes, [
      { type: 'volume', source: 'platform-convex-data', target: '/app/convex-data', readOnly: false },
      { type: 'volume', source: 'caddy-data', target: '/caddy-data', readOnly: true },
    ]);
    assert.deepEqual(platform?.logging, LOGGING);
    // compose.yml creates tale_internal; the overlays refer to it as external tale_internal: the same network.
    assert.deepEqual(config.networks, { internal: { name: 'tale_internal', external: false, driver: 'bridge' } });
    assert.deepEqual(config.volumes['platform-convex-data'], { name: 'tale_platform-convex-data', external: false, driver: 'local' });
    // compose.yml's own services use ${VERSION:-latest}.
    assert.equal(config.shared.find((s) => s.name === 'db')?.image, 'ghcr.io/tale-project/tale/tale-db:v1.4.0');
  });

  test('VERSION is required by every colored image', async () => {
    const required = (file: string, service: string) => `${file}: services.${service}.image: VERSION is required`;
    assert.deepEqual(await problems({ '.env': DOTENV }, { copyFrom: FINAL, dirName: 'tale' }), [
      ...['platform-blue', 'rag-blue', 'crawler-blue', 'search-blue'].map((s) => required('compose.blue.yml', s)),
      ...['platform-green', 'rag-green', 'crawler-green', 'search-green'].map((s) => required('compose.green.yml', s)),
    ]);
  });

  test('in a directory not named tale, the overlays\' tale_* names no longer match compose.yml', async () => {
    const found = await problems({ '.env': DOTENV }, { copyFrom: FINAL, dirName: 'prod', env: { VERSION: 'v1' } });
    assert.equal(found.length, 8);
    assert.equal(
      found[0],
      'compose.blue.yml: networks.internal: is network "tale_internal" here but "prod_internal" in compose.yml; shared and colored services must use the same network: set the project name (name: or COMPOSE_PROJECT_NAME) or give both the same name:',
    );
  });

  test('COMPOSE_PROJECT_NAME=tale fixes that', async () => {
    const config = await load({ '.env': `${DOTENV}COMPOSE_PROJECT_NAME=tale\n` }, { copyFrom: FINAL, dirName: 'prod', env: { VERSION: 'v1' } });
    assert.equal(config.networks.internal?.name, 'tale_internal');
  });
});

describe('seed bluegreen-v2: standalone services that still build locally', () => {
  test('loads, with Compose\'s default image names', async () => {
    const config = await load({ '.env': DOTENV }, { copyFrom: V2, dirName: 'tale' });
    assert.deepEqual(config.colored.map((c) => [c.name, c.imageFollowsVersion, c.byColor.green.image]), [
      ['platform', false, 'tale-platform-green'],
      ['rag', false, 'tale-rag-green'],
      ['crawler', false, 'tale-crawler-green'],
      ['search', false, 'tale-search-green'],
    ]);
    assert.deepEqual(config.shared.map((s) => s.name), ['db', 'graph-db', 'proxy']);
  });
});

describe("Compose's own alias: every container is reachable by its service's key, as docker compose makes it", () => {
  const aliasesOf = (spec: ServiceSpec | undefined, color: 'blue' | 'green' | undefined) => {
    if (spec === undefined) throw new Error('no such service');
    const plan = planContainer({ project: 'tale', spec, color, version: 'v1', replica: 1, networks: { internal: 'tale_internal' }, volumes: new Proxy({}, { get: (_t, key) => `tale_${String(key)}` }) });
    return plan.create.NetworkingConfig?.EndpointsConfig?.tale_internal?.Aliases;
  };

  test('the first overlays (merged over compose.yml): both colors of rag carry rag, which platform uses', async () => {
    const config = await load({ '.env': DOTENV }, { copyFrom: V1, dirName: 'tale' });
    const rag = config.colored.find((c) => c.name === 'rag');
    assert.deepEqual([aliasesOf(rag?.byColor.blue, 'blue'), aliasesOf(rag?.byColor.green, 'green')], [['rag', 'rag-blue'], ['rag', 'rag-green']]);
    assert.deepEqual(aliasesOf(config.shared.find((s) => s.name === 'proxy'), undefined), ['proxy', 'app.example.com']);
  });

  test('the final overlays (standalone platform-blue): the standalone key, then the aliases written', async () => {
    const config = await load({ '.env': DOTENV }, { copyFrom: FINAL, dirName: 'tale', variables: { VERSION: 'v1.4.0' } });
    const platform = config.colored[0];
    assert.deepEqual(aliasesOf(platform?.byColor.green, 'green'), ['platform-green', 'platform']);
    assert.deepEqual(aliasesOf(config.shared.find((s) => s.name === 'db'), undefined), ['db']);
  });
});
