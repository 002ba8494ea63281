import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MINIMAL, problems, type ProjectFiles } from './temp-project.js';

const BASE = MINIMAL['compose.yml'] ?? '';
const REFUSED = 'not supported by cutover (remove it or run this service outside cutover)';
/** compose.yml with `web` (colored by MINIMAL's overlays) written as given. */
const web = (yaml: string): ProjectFiles => ({ ...MINIMAL, 'compose.yml': `services:\n  web:\n${yaml}\n  db:\n    image: postgres:16\n` });

describe('loadProject: every problem, with its exact message', () => {
  const cases: Array<{ name: string; files: ProjectFiles; env?: Record<string, string>; expected: string[] }> = [
    {
      name: 'a key that changes behaviour is refused in a colored service',
      files: web('    image: a\n    links: [db]'),
      expected: ['compose.yml: services.web.links: not supported by cutover: legacy links; services reach each other by name on a shared network'],
    },
    {
      name: 'a refused key in an overlay',
      files: { ...MINIMAL, 'compose.blue.yml': 'services:\n  web:\n    container_name: web-blue\n    network_mode: host\n' },
      expected: [
        "compose.blue.yml: services.web.network_mode: not supported by cutover: blue and green must each have their own address on the project's networks for Caddy to switch between them",
      ],
    },
    {
      name: 'a nested key cutover does not model is refused',
      files: web('    image: a\n    deploy:\n      resources:\n        limits:\n          cpus: "2"\n          swap: 1g\n    healthcheck:\n      test: [CMD, "true"]\n      start_delay: 5s'),
      expected: [`compose.yml: services.web.healthcheck.start_delay: ${REFUSED}`, `compose.yml: services.web.deploy.resources.limits.swap: ${REFUSED}`],
    },
    {
      name: 'a key that is not Compose at all (a typo), also in a shared service',
      files: { ...MINIMAL, 'compose.yml': `${BASE}    enviroment: {A: "1"}\n` },
      expected: ['compose.yml: services.db.enviroment: unknown key (not in the Compose specification)'],
    },
    {
      name: 'unknown and refused top-level keys',
      files: { ...MINIMAL, 'compose.yml': `${BASE}servics: {}\nmodels: {}\nx-fine: 1\n` },
      expected: ['compose.yml: servics: unknown top-level key (not in the Compose specification)', 'compose.yml: models: not supported by cutover: AI models are a Docker Desktop feature'],
    },
    {
      name: 'a missing overlay',
      files: { 'compose.yml': BASE, 'compose.blue.yml': MINIMAL['compose.blue.yml'] ?? '' },
      expected: ['compose.green.yml: not found in <dir>: cutover needs both color overlays'],
    },
    {
      name: 'no compose file at all',
      files: { 'compose.blue.yml': 'services: {}\n', 'compose.green.yml': 'services: {}\n' },
      expected: ['compose.yaml: not found in <dir> (looked for compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml)'],
    },
    {
      name: 'a service in only one overlay',
      files: { ...MINIMAL, 'compose.blue.yml': 'services:\n  web:\n    container_name: web-blue\n  db: {}\n' },
      expected: ['compose.blue.yml: services.db: compose.green.yml has no db or db-green; both overlays must color the same services'],
    },
    {
      name: 'a bad port',
      files: { ...MINIMAL, 'compose.blue.yml': 'services:\n  web:\n    ports: ["80:abc", "8080:80", {target: 0}]\n' },
      expected: [
        'compose.blue.yml: services.web.ports[0]: "80:abc" is not a port mapping: expected [[ip:]host:]container[/tcp|udp], e.g. "127.0.0.1:8080:80"',
        'compose.blue.yml: services.web.ports[2].target: port 0 is out of range (1-65535)',
      ],
    },
    {
      name: 'a bad duration',
      files: web('    image: a\n    healthcheck:\n      test: [CMD, "true"]\n      interval: 5 seconds\n    stop_grace_period: 30'),
      expected: [
        'compose.yml: services.web.healthcheck.interval: expected a duration like 30s, 1m30s or 500ms, got "5 seconds"',
        'compose.yml: services.web.stop_grace_period: expected a duration like 30s, 1m30s or 500ms, got 30',
      ],
    },
    {
      name: 'a missing required variable',
      files: { ...MINIMAL, 'compose.blue.yml': 'services:\n  web:\n    image: example/web:${VERSION:?VERSION is required}\n' },
      expected: ['compose.blue.yml: services.web.image: VERSION is required'],
    },
    {
      name: 'a malformed .env line',
      // A bare `KEY` is valid (it inherits from the environment); words with spaces are not.
      files: { ...MINIMAL, '.env': '# settings\nVERSION=v1\noops here\n' },
      expected: ['.env: line 3: expected KEY=value, got "oops here"'],
    },
    {
      name: 'a YAML syntax error',
      files: { ...MINIMAL, 'compose.green.yml': 'services:\n  web:\n    container_name: [web-green\n' },
      expected: ['compose.green.yml: YAML syntax error at line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    },
    {
      name: 'a missing env_file',
      files: { ...MINIMAL, 'compose.yml': `${BASE}    env_file: [secrets.env]\n` },
      expected: ['compose.yml: services.db.env_file: secrets.env not found in <dir>'],
    },
    {
      name: 'a malformed line in an env_file',
      files: { ...MINIMAL, 'compose.yml': `${BASE}    env_file: conf/db.env\n`, 'conf/db.env': 'A=1\nnot a line\n' },
      expected: ['conf/db.env: line 2: expected KEY=value, got "not a line"'],
    },
    {
      name: 'a service without image or build',
      files: { ...MINIMAL, 'compose.yml': 'services:\n  web:\n    image: a\n  db:\n    restart: always\n' },
      expected: ['compose.yml: services.db.image: missing: cutover runs images; set image: (for example registry/app:${VERSION})'],
    },
    {
      name: 'a value of the wrong shape',
      files: web('    image: a\n    environment: A=1\n    networks: internal\n    restart: sometimes\n    depends_on: {db: {condition: service_ready}}'),
      expected: [
        'compose.yml: services.web.environment: expected a list of KEY=value or a mapping, got "A=1"',
        'compose.yml: services.web.networks: expected a list of network names or a mapping, got "internal"',
        'compose.yml: services.web.depends_on.db.condition: expected one of "service_started", "service_healthy", "service_completed_successfully", got "service_ready"',
        'compose.yml: services.web.restart: expected no, always, unless-stopped or on-failure[:N], got "sometimes"',
      ],
    },
    {
      name: 'healthcheck options without a test',
      files: web('    image: a\n    healthcheck:\n      interval: 5s'),
      // Where the healthcheck is written: compose.yml, once (not once per overlay that merges it).
      expected: ['compose.yml: services.web.healthcheck.test: missing: set the test too when setting other healthcheck options'],
    },
    {
      name: 'both colors with the same container name',
      files: { ...MINIMAL, 'compose.yml': 'services:\n  web:\n    image: a\n    container_name: web\n', 'compose.blue.yml': 'services:\n  web: {}\n', 'compose.green.yml': 'services:\n  web: {}\n' },
      expected: ['compose.green.yml: services.web.container_name: blue and green would both be named "web"; give each overlay its own container_name'],
    },
    {
      name: 'both colors publishing the same host port',
      files: web('    image: a\n    ports: ["3000:3000"]'),
      expected: [
        'compose.green.yml: services.web.ports: blue and green both publish host port 3000/tcp, but they run side by side during a deploy; publish through Caddy instead (ports: !reset [] in the overlays)',
      ],
    },
    {
      name: 'a fixed container name with several replicas',
      files: { ...MINIMAL, 'compose.yml': 'services:\n  web:\n    image: a\n    scale: 2\n' },
      expected: [
        'compose.blue.yml: services.web.container_name: a fixed container name allows one container, but replicas is 2',
        'compose.green.yml: services.web.container_name: a fixed container name allows one container, but replicas is 2',
      ],
    },
    {
      name: 'scale and deploy.replicas disagree',
      files: { ...MINIMAL, 'compose.yml': `${BASE}    scale: 2\n    deploy:\n      replicas: 3\n` },
      expected: ['compose.yml: services.db.scale: is 2 but deploy.replicas is 3; set only one'],
    },
    {
      name: 'undefined network, volume and dependency',
      files: { ...MINIMAL, 'compose.yml': `${BASE}    networks: [backend]\n    volumes: [pgdata:/var/lib/postgresql/data]\n    depends_on: [cache]\n` },
      expected: [
        'compose.yml: services.db.networks.backend: network "backend" is not defined under the top-level networks:',
        'compose.yml: services.db.volumes: volume "pgdata" is not defined under the top-level volumes:',
        'compose.yml: services.db.depends_on.cache: "cache" is not a service of this project',
      ],
    },
    {
      name: 'a network option that shapes how the network is created',
      files: { ...MINIMAL, 'compose.yml': `${BASE}networks:\n  backend:\n    ipam:\n      config: [{subnet: 10.0.0.0/24}]\n    labels: {a: b}\n` },
      expected: ['compose.yml: networks.backend.ipam: not supported by cutover: it shapes how the network is created; create the network yourself and mark it external: true'],
    },
    {
      name: 'an invalid project name',
      files: { ...MINIMAL, 'compose.yml': `name: My Shop\n${BASE}` },
      expected: ['compose.yml: name: "My Shop" is not a valid project name: use lowercase letters, digits, "-" and "_", starting with a letter or digit'],
    },
    {
      name: 'an overlay that changes the project name',
      files: { ...MINIMAL, 'compose.blue.yml': `name: other\n${MINIMAL['compose.blue.yml'] ?? ''}` },
      expected: ['compose.blue.yml: name: sets the project name "other" but the project is "app"; remove name: from the overlay'],
    },
    {
      name: 'only one color follows VERSION',
      files: { ...MINIMAL, 'compose.green.yml': 'services:\n  web:\n    container_name: web-green\n    image: example/web:pinned\n' },
      expected: ['compose.green.yml: services.web.image: does not use ${VERSION} but compose.blue.yml does; both colors must deploy the same version'],
    },
    {
      name: 'services that is not a mapping',
      files: { ...MINIMAL, 'compose.green.yml': 'services: [web]\n' },
      expected: [
        'compose.blue.yml: services.web: compose.green.yml has no web or web-green; both overlays must color the same services',
        'compose.green.yml: services: expected a mapping of services, got a list',
      ],
    },
    {
      name: 'a bad setting next to the files',
      files: MINIMAL,
      env: { DRAIN_TIMEOUT: 'soon' },
      expected: ['environment: DRAIN_TIMEOUT: "soon" is not a duration; use seconds (300) or a unit (300s, 5m)'],
    },
    {
      name: 'many problems in several files, reported together',
      files: {
        'compose.yml': 'services:\n  web:\n    image: a\n    cap_add: [NET_WIZARD]\n  db:\n    image: postgres\n',
        'compose.blue.yml': 'services:\n  web:\n    ports: ["x"]\n',
        'compose.green.yml': 'services:\n  web:\n    image: b:${TAG:?TAG is required}\n',
        '.env': 'HEALTH_CHECK_INTERVAL=abc\n= nothing\n',
      },
      expected: [
        '.env: line 2: expected KEY=value, got "= nothing"',
        '.env: HEALTH_CHECK_INTERVAL: "abc" is not a duration; use seconds (300) or a unit (300s, 5m)',
        'compose.green.yml: services.web.image: TAG is required',
        "compose.yml: services.web.cap_add[0]: \"NET_WIZARD\" is not a Linux capability (e.g. NET_BIND_SERVICE, CHOWN, ALL; see capabilities(7))",
        'compose.blue.yml: services.web.ports[0]: "x" is not a port mapping: expected [[ip:]host:]container[/tcp|udp], e.g. "127.0.0.1:8080:80"',
      ],
    },
  ];
  for (const { name, files, env, expected } of cases) {
    test(name, async () => {
      assert.deepEqual(await problems(files, { env }), expected);
    });
  }
});
