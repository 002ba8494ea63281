import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandAlone, mergeResource, mergeService } from '../../../src/config/merge-compose.js';
import { parseComposeYaml } from '../../../src/config/parse-compose-yaml.js';

function yaml(text: string): Record<string, unknown> {
  const parsed = parseComposeYaml(text);
  if (!parsed.ok) throw new Error(parsed.messages.join('\n'));
  return parsed.value as Record<string, unknown>;
}

const port = (target: number, published?: string, hostIp?: string) => ({
  target,
  protocol: 'tcp',
  ...(published === undefined ? {} : { published }),
  ...(hostIp === undefined ? {} : { host_ip: hostIp }),
});

describe('mergeService (Compose merge rules)', () => {
  const cases: Array<{ name: string; base: string; override: string; expected: Record<string, unknown> }> = [
    {
      name: 'scalars are replaced',
      base: 'image: a:1\nrestart: always',
      override: 'image: a:2',
      expected: { image: 'a:2', restart: 'always' },
    },
    {
      name: 'environment as list and as mapping merge key by key',
      base: 'environment:\n  - A=1\n  - B=2\n  - BARE',
      override: 'environment:\n  B: "3"\n  C: "4"',
      expected: { environment: { A: '1', B: '3', BARE: null, C: '4' } },
    },
    {
      name: 'labels as mapping and as list merge key by key',
      base: 'labels:\n  a: x\n  b: y',
      override: 'labels:\n  - b=z\n  - flag',
      expected: { labels: { a: 'x', b: 'z', flag: '' } },
    },
    {
      name: 'ports are appended without duplicates',
      base: "ports:\n  - '3000:3000'",
      override: "ports:\n  - '3000:3000'\n  - '127.0.0.1:9000:9000'",
      expected: { ports: [port(3000, '3000'), port(9000, '9000', '127.0.0.1')] },
    },
    {
      name: 'a long-form port with the same key replaces the short one',
      base: "ports:\n  - '8080:80'",
      override: 'ports:\n  - target: 80\n    published: "8080"',
      expected: { ports: [{ target: 80, published: '8080' }] },
    },
    {
      name: 'volumes merge by target',
      base: 'volumes:\n  - data:/work\n  - ./a:/a',
      override: 'volumes:\n  - other:/work\n  - extra:/extra:ro',
      expected: {
        volumes: [
          { type: 'volume', target: '/work', read_only: false, source: 'other' },
          { type: 'bind', target: '/a', read_only: false, source: './a' },
          { type: 'volume', target: '/extra', read_only: true, source: 'extra' },
        ],
      },
    },
    {
      name: '!reset removes a key',
      base: "image: a\nports:\n  - '3000:3000'",
      override: 'ports: !reset []',
      expected: { image: 'a' },
    },
    {
      name: '!reset removes one mapping entry',
      base: 'environment:\n  A: "1"\n  B: "2"',
      override: 'environment:\n  A: !reset null',
      expected: { environment: { B: '2' } },
    },
    {
      name: '!override replaces a sequence instead of appending',
      base: "ports:\n  - '8080:80'",
      override: "ports: !override\n  - '8443:443'",
      expected: { ports: [port(443, '8443')] },
    },
    {
      name: '!override replaces a mapping instead of merging',
      base: 'environment:\n  A: "1"\n  B: "2"',
      override: 'environment: !override\n  - C=3',
      expected: { environment: { C: '3' } },
    },
    {
      name: 'healthcheck options merge, test is kept',
      base: 'healthcheck:\n  test: [CMD, curl, -f, http://localhost/]\n  interval: 5s\n  retries: 2',
      override: 'healthcheck:\n  interval: 10s',
      expected: { healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost/'], interval: '10s', retries: 2 } },
    },
    {
      name: 'healthcheck.test is replaced, not appended',
      base: 'healthcheck:\n  test: [CMD, curl, -f, http://localhost/]\n  interval: 5s',
      override: 'healthcheck:\n  test: [CMD, wget, -q, http://localhost/]',
      expected: { healthcheck: { test: ['CMD', 'wget', '-q', 'http://localhost/'], interval: '5s' } },
    },
    {
      name: 'command and entrypoint are replaced',
      base: 'command: [node, a.js, --x]\nentrypoint: [tini, --]',
      override: 'command: [node, b.js]\nentrypoint: [dumb-init]',
      expected: { command: ['node', 'b.js'], entrypoint: ['dumb-init'] },
    },
    {
      name: 'network aliases are added per network',
      base: 'networks:\n  - internal\n  - public',
      override: 'networks:\n  internal:\n    aliases:\n      - platform-blue',
      expected: { networks: { internal: { aliases: ['platform-blue'] }, public: null } },
    },
    {
      name: 'aliases of the same network are appended without duplicates',
      base: 'networks:\n  internal:\n    aliases: [a, b]',
      override: 'networks:\n  internal:\n    aliases: [b, c]\n  other:',
      expected: { networks: { internal: { aliases: ['a', 'b', 'c'] }, other: null } },
    },
    {
      name: 'a network named without body keeps the base aliases',
      base: 'networks:\n  internal:\n    aliases: [a]',
      override: 'networks:\n  - internal',
      expected: { networks: { internal: { aliases: ['a'] } } },
    },
    {
      name: 'env_file is appended without duplicates',
      base: 'env_file: .env',
      override: 'env_file:\n  - .env\n  - blue.env',
      expected: { env_file: ['.env', 'blue.env'] },
    },
    {
      name: 'expose is appended without duplicates',
      base: 'expose: ["3000"]',
      override: 'expose: ["3000", "3001"]',
      expected: { expose: ['3000', '3001'] },
    },
    {
      name: 'depends_on list and mapping merge',
      base: 'depends_on: [db, cache]',
      override: 'depends_on:\n  db:\n    condition: service_healthy',
      expected: { depends_on: { db: { condition: 'service_healthy' }, cache: { condition: 'service_started' } } },
    },
    {
      name: 'deploy merges nested mappings',
      base: 'deploy:\n  resources:\n    limits:\n      memory: 1g',
      override: 'deploy:\n  replicas: 2',
      expected: { deploy: { resources: { limits: { memory: '1g' } }, replicas: 2 } },
    },
    {
      name: 'logging options merge when the driver stays',
      base: "logging:\n  driver: json-file\n  options:\n    max-size: '10m'\n    max-file: '3'",
      override: "logging:\n  options:\n    max-file: '5'",
      expected: { logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } } },
    },
    {
      name: 'logging is replaced when the driver changes',
      base: "logging:\n  driver: json-file\n  options:\n    max-size: '10m'",
      override: 'logging:\n  driver: journald',
      expected: { logging: { driver: 'journald' } },
    },
  ];
  for (const { name, base, override, expected } of cases) {
    test(name, () => {
      assert.deepEqual(mergeService(yaml(base), yaml(override)), expected);
    });
  }

  test('merging leaves its inputs untouched', () => {
    const base = yaml('environment:\n  A: "1"');
    mergeService(base, yaml('environment:\n  B: "2"'));
    assert.deepEqual(base, { environment: { A: '1' } });
  });
});

describe('expandAlone', () => {
  test('expands short forms and drops merge tags of a file merged over nothing', () => {
    assert.deepEqual(expandAlone(yaml("image: a\nports: !reset ['1:1']\nenvironment: !override [A=1]\nnetworks: [internal]")), {
      image: 'a',
      environment: { A: '1' },
      networks: { internal: null },
    });
  });
});

describe('mergeResource', () => {
  test('an overlay entry merges over the base entry', () => {
    assert.deepEqual(mergeResource({ driver: 'bridge' }, { external: true, name: 'tale_internal' }), { driver: 'bridge', external: true, name: 'tale_internal' });
  });
  test('an entry only in the overlay stands alone', () => {
    assert.deepEqual(mergeResource(undefined, { external: true }), { external: true });
  });
});
