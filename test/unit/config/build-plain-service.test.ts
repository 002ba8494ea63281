import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { load, type ProjectFiles } from './temp-project.js';

/**
 * The plain service of each colored service: compose.yml's definition alone,
 * what `reset` runs to return to plain Compose mode.
 */

const merged: ProjectFiles = {
  'compose.yml': [
    'services:',
    '  web:',
    '    image: example/web:${VERSION:-v1}',
    '    container_name: web',
    '    ports: ["127.0.0.1:8080:3000"]',
    '    healthcheck:',
    '      test: ["CMD", "true"]',
    '  db:',
    '    image: postgres:16',
    '',
  ].join('\n'),
  'compose.blue.yml': 'services:\n  web:\n    container_name: web-blue\n    ports: !override ["127.0.0.1:8081:3000"]\n    networks:\n      default:\n        aliases: [web-blue]\n',
  'compose.green.yml': 'services:\n  web:\n    container_name: web-green\n    ports: !override ["127.0.0.1:8082:3000"]\n    networks:\n      default:\n        aliases: [web-green]\n',
};

describe('the plain service of a colored one', () => {
  test('overlays merged over compose.yml: compose.yml alone, without their container_name, aliases or ports', async () => {
    const config = await load(merged, { env: { VERSION: 'v7' } });
    const web = config.colored[0];
    assert.equal(web?.name, 'web');
    const plain = web?.plain;
    assert.ok(plain !== undefined, 'compose.yml defines web on its own');
    assert.deepEqual(
      [plain.name, plain.image, plain.containerName, plain.ports, plain.networks, plain.healthcheck === undefined],
      ['web', 'example/web:v7', 'web', [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 3000, protocol: 'tcp' }], [{ key: 'default', aliases: [] }], false],
    );
    // The colors are unchanged by it.
    assert.deepEqual([web?.byColor.blue.containerName, web?.byColor.blue.ports.map((p) => p.hostPort), web?.byColor.blue.networks], ['web-blue', [8081], [{ key: 'default', aliases: ['web-blue'] }]]);
  });

  test('standalone overlays (web-blue, web-green): the plain web of compose.yml', async () => {
    const config = await load({
      'compose.yml': 'services:\n  web:\n    image: example/web:dev\n    ports: ["3000:3000"]\n  db:\n    image: postgres:16\n',
      'compose.blue.yml': 'services:\n  web-blue:\n    image: example/web:${VERSION:-v1}\n    container_name: web-blue\n',
      'compose.green.yml': 'services:\n  web-green:\n    image: example/web:${VERSION:-v1}\n    container_name: web-green\n',
    });
    const web = config.colored.find((s) => s.name === 'web');
    assert.deepEqual([web?.plain?.image, web?.plain?.containerName, web?.plain?.ports.map((p) => p.hostPort)], ['example/web:dev', undefined, [3000]]);
    assert.deepEqual(config.shared.map((s) => s.name), ['db']);
  });

  test('standalone overlays without a plain service in compose.yml: none', async () => {
    const config = await load({
      'compose.yml': 'services:\n  db:\n    image: postgres:16\n',
      'compose.blue.yml': 'services:\n  web-blue:\n    image: example/web:v1\n',
      'compose.green.yml': 'services:\n  web-green:\n    image: example/web:v1\n',
    });
    assert.equal(config.colored[0]?.plain, undefined);
  });

  test('a compose.yml service that needs its overlays (no image of its own) has no plain form, and is no config error', async () => {
    const config = await load({
      'compose.yml': 'services:\n  web:\n    environment:\n      A: "1"\n',
      'compose.blue.yml': 'services:\n  web:\n    image: example/web:v1\n    container_name: web-blue\n',
      'compose.green.yml': 'services:\n  web:\n    image: example/web:v1\n    container_name: web-green\n',
    });
    assert.equal(config.colored[0]?.byColor.green.image, 'example/web:v1');
    assert.equal(config.colored[0]?.plain, undefined);
  });
});
