import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadProject } from '../../../src/config/load-project.js';
import type { ProjectConfig, ServiceSpec } from '../../../src/config/model.js';
import { MINIMAL, problems, withProject, type ProjectFiles } from './temp-project.js';

/** extends, include and label_file: each case loads a project and checks the service Compose's rules give, or the exact problem lines. */

const COMPOSE = MINIMAL['compose.yml'] ?? '';
const loadIn = (files: ProjectFiles): Promise<{ dir: string; config: ProjectConfig }> =>
  withProject({ ...MINIMAL, ...files }, {}, async (dir) => ({ dir, config: await loadProject({ projectDir: dir, env: {} }) }));
const blueWeb = (config: ProjectConfig): ServiceSpec => {
  const web = config.colored.find((c) => c.name === 'web');
  assert.ok(web !== undefined, 'web is colored');
  return web.byColor.blue;
};
const sharedNamed = (config: ProjectConfig, name: string): ServiceSpec => {
  const found = config.shared.find((s) => s.name === name);
  assert.ok(found !== undefined, `${name} is shared`);
  return found;
};

describe('compose composition: extends, include and label_file give the service Compose gives', () => {
  const cases: Array<{ name: string; files: ProjectFiles; check: (config: ProjectConfig, dir: string) => void }> = [
    {
      name: 'extends a service of the same file: mappings merged, expose appended, command replaced, depends_on not inherited',
      files: {
        'compose.yml':
          'services:\n  common:\n    image: example/common:1\n    command: [serve, --old]\n    environment: {A: "1", B: base}\n    labels: [team=core]\n    expose: ["80"]\n    depends_on: [db]\n' +
          '  web:\n    extends: common\n    image: example/web:${VERSION:-latest}\n    command: [serve, --new]\n    environment: [B=web, C=3]\n    expose: ["81"]\n  db:\n    image: postgres:16\n',
      },
      check: (config) => {
        const web = blueWeb(config);
        assert.equal(web.image, 'example/web:latest');
        assert.deepEqual(web.command, ['serve', '--new']);
        assert.deepEqual(web.environment, { A: '1', B: 'web', C: '3' });
        assert.deepEqual(web.labels, { team: 'core' });
        assert.deepEqual(web.expose, [80, 81]);
        assert.deepEqual(web.dependsOn, []);
        assert.deepEqual(sharedNamed(config, 'common').dependsOn, ['db']);
      },
    },
    {
      name: 'extends a service of another file, in a chain; its relative paths resolve from its own directory',
      files: {
        'compose.yml': 'services:\n  web:\n    extends: {file: lib/app.yml, service: app}\n    image: example/web:${VERSION:-latest}\n  db:\n    image: postgres:16\nvolumes:\n  cache: {}\n',
        'lib/app.yml': 'services:\n  app:\n    extends: {file: ../root.yml, service: root}\n    env_file: ./app.env\n    volumes: ["./data:/data", "cache:/cache"]\n    environment: {LEVEL: app}\n',
        'root.yml': 'services:\n  root:\n    image: example/root:1\n    environment: {LEVEL: root, ROOT: "yes"}\n    stop_signal: SIGINT\n',
        'lib/app.env': 'FROM_FILE=1\n',
      },
      check: (config, dir) => {
        const web = blueWeb(config);
        assert.deepEqual(web.environment, { FROM_FILE: '1', LEVEL: 'app', ROOT: 'yes' });
        assert.equal(web.stopSignal, 'SIGINT');
        assert.deepEqual(web.volumes.map((v) => [v.type, v.source, v.target]), [['bind', join(dir, 'lib/data'), '/data'], ['volume', 'cache', '/cache']]);
        assert.ok(config.files.includes(join(dir, 'lib/app.yml')) && config.files.includes(join(dir, 'root.yml')), 'the extended files are listed as read');
      },
    },
    {
      name: 'an overlay extends a service of another file; the other color is untouched',
      files: { 'compose.blue.yml': 'services:\n  web:\n    extends: {file: tmpl.yml, service: tmpl}\n    container_name: web-blue\n', 'tmpl.yml': 'services:\n  tmpl:\n    labels: {from: tmpl}\n    stop_grace_period: 42s\n' },
      check: (config) => {
        assert.equal(blueWeb(config).labels.from, 'tmpl');
        assert.equal(blueWeb(config).stopGracePeriodMs, 42_000);
        assert.deepEqual([config.colored[0]?.byColor.green.labels, config.colored[0]?.byColor.green.stopGracePeriodMs], [{}, 10_000]);
      },
    },
    {
      name: 'include adds the services, volumes and networks of another file; its paths resolve from its directory',
      files: {
        'compose.yml': `${COMPOSE}include:\n  - infra/cache.yml\n`,
        'infra/cache.yml': 'services:\n  cache:\n    image: redis:7\n    env_file: cache.env\n    volumes: ["./conf:/conf", "cachedata:/data"]\nvolumes:\n  cachedata: {}\n',
        'infra/cache.env': 'MAXMEM=64mb\n',
      },
      check: (config, dir) => {
        const cache = sharedNamed(config, 'cache');
        assert.equal(cache.image, 'redis:7');
        assert.deepEqual(cache.environment, { MAXMEM: '64mb' });
        assert.deepEqual(cache.volumes.map((v) => [v.source, v.target]), [[join(dir, 'infra/conf'), '/conf'], ['cachedata', '/data']]);
        assert.ok(config.volumes.cachedata !== undefined, 'the included volume is part of the project');
      },
    },
    {
      name: 'include with project_directory resolves the included paths from that directory',
      files: {
        'compose.yml': `${COMPOSE}include:\n  - path: infra/cache.yml\n    project_directory: .\n`,
        'infra/cache.yml': 'services:\n  cache:\n    image: redis:7\n    volumes: ["./conf:/conf"]\n',
      },
      check: (config, dir) => assert.deepEqual(sharedNamed(config, 'cache').volumes.map((v) => v.source), [join(dir, 'conf')]),
    },
    {
      name: 'label_file: later files win, labels: wins over every file',
      files: {
        'compose.yml': 'services:\n  web:\n    image: example/web:${VERSION:-latest}\n    label_file: [a.labels, b.labels]\n    labels: {owner: web}\n  db:\n    image: postgres:16\n    label_file: a.labels\n',
        'a.labels': '# labels\nowner=a\ntier=a\nonly.a=1\n',
        'b.labels': 'tier=b\n',
      },
      check: (config) => {
        assert.deepEqual(blueWeb(config).labels, { owner: 'web', tier: 'b', 'only.a': '1' });
        assert.deepEqual(sharedNamed(config, 'db').labels, { owner: 'a', tier: 'a', 'only.a': '1' });
      },
    },
  ];
  for (const { name, files, check } of cases) {
    test(name, async () => {
      const { dir, config } = await loadIn(files);
      check(config, dir);
    });
  }
});

describe('compose composition: one problem line each, naming the file and path', () => {
  const web = (yaml: string, extra: ProjectFiles = {}): ProjectFiles => ({
    ...MINIMAL,
    'compose.yml': `services:\n  web:\n    image: example/web:\${VERSION:-latest}\n${yaml}\n  db:\n    image: postgres:16\n`,
    ...extra,
  });
  const cases: Array<{ name: string; files: ProjectFiles; expected: string[] }> = [
    {
      name: 'a missing extended file',
      files: web('    extends: {file: nope.yml, service: app}'),
      expected: ['compose.yml: services.web.extends.file: nope.yml not found or not readable; fix extends.file:'],
    },
    {
      name: 'an unknown extended service',
      files: web('    extends: {file: lib.yml, service: ap}', { 'lib.yml': 'services:\n  app:\n    image: a\n' }),
      expected: ['compose.yml: services.web.extends.service: no service "ap" in lib.yml; name one of its services (app)'],
    },
    {
      name: 'a cycle across files',
      files: web('    extends: {file: a.yml, service: a}', { 'a.yml': 'services:\n  a:\n    extends: {file: b.yml, service: b}\n', 'b.yml': 'services:\n  b:\n    extends: {file: a.yml, service: a}\n' }),
      expected: ['b.yml: services.b.extends: extends itself in a cycle (a.yml#a -> b.yml#b -> a.yml#a); remove one extends:'],
    },
    {
      name: 'a service extending itself',
      files: web('    extends: web'),
      expected: ['compose.yml: services.web.extends: extends itself in a cycle (compose.yml#web -> compose.yml#web); remove one extends:'],
    },
    {
      name: 'a malformed extends',
      files: web('    extends: {service: app, from: x}'),
      expected: ['compose.yml: services.web.extends: unknown key from; extends takes service and file'],
    },
    {
      name: 'an included file that is missing',
      files: { ...MINIMAL, 'compose.yml': `${COMPOSE}include: [infra/none.yml]\n` },
      expected: ['compose.yml: include[0]: infra/none.yml not found or not readable; fix the path'],
    },
    {
      name: 'an included service that conflicts with the including file',
      files: { ...MINIMAL, 'compose.yml': `${COMPOSE}include: [other.yml]\n`, 'other.yml': 'services:\n  db:\n    image: mysql:8\n' },
      expected: ['compose.yml: include[0]: other.yml defines services.db, which compose.yml defines too; Compose refuses the conflict: rename or remove one'],
    },
    {
      name: 'an include cycle',
      files: { ...MINIMAL, 'compose.yml': `${COMPOSE}include: [a.yml]\n`, 'a.yml': 'include: [compose.yml]\n' },
      expected: ['a.yml: include[0]: includes itself in a cycle (compose.yml -> a.yml -> compose.yml); remove one include:'],
    },
    {
      name: 'an include env_file is refused',
      files: { ...MINIMAL, 'compose.yml': `${COMPOSE}include:\n  - path: a.yml\n    env_file: a.env\n`, 'a.yml': 'services: {}\n' },
      expected: ["compose.yml: include[0]: env_file of an include is not supported by cutover (variables come from the project's .env); use path and project_directory"],
    },
    {
      name: 'a missing label file',
      files: web('    label_file: [ok.labels, gone.labels]', { 'ok.labels': 'a=1\n' }),
      expected: ['compose.yml: services.web.label_file[1]: gone.labels not found in <dir>; create it or remove it from label_file:'],
    },
  ];
  for (const { name, files, expected } of cases) test(name, async () => assert.deepEqual(await problems(files), expected));
});
