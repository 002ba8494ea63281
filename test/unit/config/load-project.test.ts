import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ServiceSpec } from '../../../src/config/model.js';
import { load, MINIMAL, withProject, type ProjectFiles } from './temp-project.js';
import { loadProject } from '../../../src/config/load-project.js';
import { makeSpec } from '../../fixtures/make-service.js';

const overlays = (blue: string, green: string): ProjectFiles => ({ 'compose.blue.yml': blue, 'compose.green.yml': green });

describe('loadProject: reading a project', () => {
  test('a minimal project: colored and shared services, default network, settings', async () => {
    const config = await withProject(MINIMAL, {}, async (dir) => {
      const loaded = await loadProject({ projectDir: dir, env: {} });
      assert.deepEqual(loaded.files, ['compose.yml', 'compose.blue.yml', 'compose.green.yml'].map((file) => join(dir, file)));
      assert.equal(loaded.projectDir, dir);
      return loaded;
    });
    assert.equal(config.projectName, 'app');
    assert.deepEqual(config.colored.map((c) => [c.name, c.imageFollowsVersion, c.byColor.blue.containerName, c.byColor.green.containerName]), [['web', true, 'web-blue', 'web-green']]);
    assert.deepEqual(config.shared.map((s) => s.name), ['db']);
    assert.deepEqual(config.networks, { default: { name: 'app_default', external: false, driver: undefined } });
    assert.deepEqual(config.volumes, {});
    assert.deepEqual(config.settings, { healthCheckTimeoutMs: 300_000, healthCheckIntervalMs: 3_000, drainTimeoutMs: 30_000, healthFailFast: false });
    // makeSpec's defaults are what the loader gives a service that sets only its image: held to that here.
    const db: ServiceSpec = {
      ...makeSpec({ name: 'db', image: 'postgres:16', networks: [{ key: 'default', aliases: [] }] }),
      dependencyConditions: {},
      stopSignal: undefined,
      logging: undefined,
      composeName: 'db',
    };
    assert.deepEqual(config.shared[0], db);
  });

  const precedence: Array<[string, { env?: Record<string, string>; variables?: Record<string, string> }, string]> = [
    ['variables win over env and .env', { env: { VERSION: 'v2' }, variables: { VERSION: 'v3' } }, 'example/web:v3'],
    ['env wins over .env', { env: { VERSION: 'v2' } }, 'example/web:v2'],
    ['.env is used last', {}, 'example/web:v1'],
  ];
  for (const [name, options, image] of precedence) {
    test(`variable lookup: ${name}`, async () => {
      const config = await load({ ...MINIMAL, '.env': 'VERSION=v1\n' }, options);
      assert.equal(config.colored[0]?.byColor.blue.image, image);
    });
  }

  for (const file of ['compose.yaml', 'docker-compose.yml']) {
    test(`the main file may be named ${file}`, async () => {
      const { 'compose.yml': text = '', ...rest } = MINIMAL;
      const config = await load({ ...rest, [file]: text });
      assert.deepEqual(config.shared.map((s) => s.name), ['db']);
    });
  }

  test('every supported key, in short and long forms, becomes the ServiceSpec', async () => {
    const config = await load(
      {
        'compose.yml': `
services:
  web:
    image: example/web:\${VERSION:?VERSION is required}
    command: node server.js --name "two words"
    entrypoint: [tini, --]
    env_file: [app.env]
    environment:
      - FROM_LIST=1
      - OVERRIDDEN=by-environment
      - HOME_DIR
    labels: [com.example.role=web, flag]
    expose: ["3000", 3001-3002]
    volumes:
      - data:/data:ro
      - ./conf:/etc/web
      - type: tmpfs
        target: /tmp
    networks:
      internal:
        aliases: [web-alias]
      public:
    healthcheck:
      test: curl -f http://localhost/health
      interval: 5s
      timeout: 1m30s
      retries: "3"
      start_period: 500ms
      start_interval: 1s
    depends_on:
      db:
        condition: service_healthy
    stop_grace_period: 45s
    stop_signal: SIGQUIT
    deploy:
      replicas: 2
      resources:
        limits:
          memory: 512m
    restart: unless-stopped
    logging:
      driver: json-file
      options:
        max-size: 10m
        max-file: 3
  db:
    image: postgres:16
    networks: [internal]
volumes:
  data:
networks:
  internal:
  public:
    external: true
`,
        'app.env': 'FROM_FILE=file\nOVERRIDDEN=by-file\n',
        // Blue and green run side by side, so each color publishes its own host ports.
        ...overlays(
          'services:\n  web:\n    labels:\n      color: blue\n    ports:\n      - "127.0.0.1:8080:80"\n      - target: 9090\n        published: "19090"\n        protocol: udp\n',
          'services:\n  web:\n    labels:\n      color: green\n    ports: ["127.0.0.1:8081:80"]\n',
        ),
      },
      { env: { VERSION: 'v7', HOME_DIR: '/home/app' } },
    );
    const blue = config.colored[0]?.byColor.blue;
    const expected: ServiceSpec = {
      name: 'web',
      image: 'example/web:v7',
      command: ['node', 'server.js', '--name', 'two words'],
      entrypoint: ['tini', '--'],
      environment: { FROM_FILE: 'file', OVERRIDDEN: 'by-environment', FROM_LIST: '1', HOME_DIR: '/home/app' },
      labels: { 'com.example.role': 'web', flag: '', color: 'blue' },
      ports: [
        { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
        { hostIp: undefined, hostPort: 19090, containerPort: 9090, protocol: 'udp' },
      ],
      expose: [3000, 3001, 3002],
      volumes: [
        { type: 'volume', source: 'data', target: '/data', readOnly: true },
        { type: 'bind', source: join(config.projectDir, 'conf'), target: '/etc/web', readOnly: false },
        { type: 'tmpfs', source: undefined, target: '/tmp', readOnly: false },
      ],
      networks: [
        { key: 'internal', aliases: ['web-alias'] },
        { key: 'public', aliases: [] },
      ],
      healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost/health'], intervalMs: 5000, timeoutMs: 90_000, retries: 3, startPeriodMs: 500, startIntervalMs: 1000 },
      dependsOn: ['db'],
      dependencyConditions: { db: 'service_healthy' },
      stopGracePeriodMs: 45_000,
      stopSignal: 'SIGQUIT',
      replicas: 2,
      containerName: undefined,
      restart: 'unless-stopped',
      memLimitBytes: 512 * 1024 ** 2,
      logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
      composeName: 'web',
    };
    assert.deepEqual(blue, expected);
    assert.equal(config.colored[0]?.byColor.green.labels.color, 'green');
    assert.deepEqual(config.colored[0]?.byColor.green.ports, [{ hostIp: '127.0.0.1', hostPort: 8081, containerPort: 80, protocol: 'tcp' }]);
    assert.deepEqual(config.networks, {
      internal: { name: 'app_internal', external: false, driver: undefined },
      public: { name: 'public', external: true, driver: undefined },
    });
    assert.deepEqual(config.volumes, { data: { name: 'app_data', external: false, driver: undefined } });
  });

  const healthchecks: Array<[string, string, ServiceSpec['healthcheck']]> = [
    ['disable: true', 'healthcheck:\n      disable: true', 'disabled'],
    ['test: ["NONE"]', 'healthcheck:\n      test: ["NONE"]', 'disabled'],
    ['disable over an inherited test', 'healthcheck:\n      test: [CMD, true]\n      disable: true', 'disabled'],
    [
      'a list test is kept as written',
      'healthcheck:\n      test: [CMD, curl, -f, http://x/]',
      { test: ['CMD', 'curl', '-f', 'http://x/'], intervalMs: undefined, timeoutMs: undefined, retries: undefined, startPeriodMs: undefined, startIntervalMs: undefined },
    ],
  ];
  for (const [name, yaml, healthcheck] of healthchecks) {
    test(`healthcheck: ${name}`, async () => {
      const config = await load({ ...MINIMAL, 'compose.yml': `services:\n  web:\n    image: a\n    ${yaml}\n` });
      assert.deepEqual(config.colored[0]?.byColor.blue.healthcheck, healthcheck);
    });
  }

  const scalars: Array<[string, string, Partial<ServiceSpec>]> = [
    ['scale sets replicas', 'image: a\n    scale: 3', { replicas: 3 }],
    ['mem_limit', 'image: a\n    mem_limit: 1g', { memLimitBytes: 1024 ** 3 }],
    ['interpolated numbers are converted', 'image: a\n    deploy:\n      replicas: ${REPLICAS:-4}', { replicas: 4 }],
    ['build without image uses Compose\'s default image name', 'build: .', { image: 'app-web' }],
    ['stop_grace_period as minutes', 'image: a\n    stop_grace_period: 2m', { stopGracePeriodMs: 120_000 }],
  ];
  for (const [name, yaml, expected] of scalars) {
    test(`service: ${name}`, async () => {
      const config = await load({ ...overlays('services:\n  web: {}\n', 'services:\n  web:\n'), 'compose.yml': `services:\n  web:\n    ${yaml}\n` });
      const spec = config.colored[0]?.byColor.green;
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(spec?.[key as keyof ServiceSpec], value, key);
    });
  }

  test('keys ignored on purpose are accepted in colored services', async () => {
    const config = await load({
      ...MINIMAL,
      'compose.yml': 'x-shared: &s {restart: always}\nversion: "3.9"\nservices:\n  web:\n    <<: *s\n    image: a\n    build: .\n    pull_policy: always\n    profiles: [prod]\n    develop: {}\n    x-note: hi\n',
      '.env': 'COMPOSE_PROFILES=prod\n',
    });
    assert.equal(config.colored[0]?.byColor.blue.restart, 'always');
  });

  test('profiles: a shared service outside the active profiles is not part of the run, like docker compose up', async () => {
    const files = { ...MINIMAL, 'compose.yml': 'services:\n  web:\n    image: a\n  db:\n    image: postgres\n  debug:\n    image: busybox\n    profiles: [debug]\n' };
    assert.deepEqual((await load(files)).shared.map((s) => s.name), ['db']);
    assert.deepEqual((await load({ ...files, '.env': 'COMPOSE_PROFILES=debug,other\n' })).shared.map((s) => s.name), ['db', 'debug']);
  });

  test('shared services may use keys cutover does not model: Compose runs them', async () => {
    const config = await load({ ...MINIMAL, 'compose.yml': 'services:\n  web:\n    image: a\n  db:\n    image: postgres\n    privileged: true\n    shm_size: 1g\n    links: [web]\n    network_mode: bridge\n' });
    assert.equal(config.shared[0]?.image, 'postgres');
    // Recorded, so cutover refuses to start this service itself instead of dropping them silently.
    assert.deepEqual(config.shared[0]?.unappliedKeys, ['links', 'network_mode']);
    // The keys cutover translates apply to shared services too.
    assert.deepEqual(config.shared[0]?.container?.hostConfig, { Privileged: true, ShmSize: 1024 ** 3 });
  });

  test('top-level name: sets the project name and prefixes networks and volumes', async () => {
    const config = await load({
      ...MINIMAL,
      'compose.yml':
        'name: shop\nservices:\n  web:\n    image: a\n    volumes: [cache:/c, data:/d, ext:/e]\nvolumes:\n  cache:\n  data:\n    name: fixed-data\n  ext:\n    external: true\n    name: outside\n',
    });
    assert.equal(config.projectName, 'shop');
    assert.deepEqual(config.volumes, {
      cache: { name: 'shop_cache', external: false, driver: undefined },
      data: { name: 'fixed-data', external: false, driver: undefined },
      ext: { name: 'outside', external: true, driver: undefined },
    });
    assert.deepEqual(config.networks.default, { name: 'shop_default', external: false, driver: undefined });
  });

  test('COMPOSE_PROJECT_NAME names the project when compose.yml does not', async () => {
    const config = await load({ ...MINIMAL, '.env': 'COMPOSE_PROJECT_NAME=fromdotenv\n' });
    assert.equal(config.projectName, 'fromdotenv');
  });

  test('an optional env_file may be missing', async () => {
    const config = await load({ ...MINIMAL, 'compose.yml': 'services:\n  web:\n    image: a\n    env_file:\n      - path: local.env\n        required: false\n' });
    assert.deepEqual(config.colored[0]?.byColor.blue.environment, {});
  });

  test('standalone overlays: depends_on rag-blue means the colored rag; optional unknown dependencies are dropped', async () => {
    const service = (color: string) =>
      `services:\n  web-${color}:\n    image: w\n    depends_on:\n      rag-${color}:\n        condition: service_healthy\n      db:\n      gone:\n        required: false\n  rag-${color}:\n    image: r\n`;
    const config = await load({ 'compose.yml': 'services:\n  db:\n    image: postgres\n', ...overlays(service('blue'), service('green')) });
    const web = config.colored.find((c) => c.name === 'web');
    assert.deepEqual(web?.byColor.green.dependsOn, ['rag', 'db']);
    assert.deepEqual(web?.byColor.green.dependencyConditions, { rag: 'service_healthy', db: 'service_started' });
  });

  test('env_file values are interpolated and environment entries without a value come from the variables', async () => {
    const config = await load(
      { ...MINIMAL, 'compose.yml': 'services:\n  web:\n    image: a\n    env_file: .env\n    environment: [TOKEN, ABSENT]\n', '.env': 'URL=http://${HOST:-localhost}/\n' },
      { env: { TOKEN: 't0k' } },
    );
    assert.deepEqual(config.colored[0]?.byColor.blue.environment, { URL: 'http://localhost/', TOKEN: 't0k' });
  });
});
