import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findColoredServices } from '../../../src/config/find-colored-services.js';

const base = (...services: string[]) => ({ file: 'compose.yml', services });
const blue = (...services: string[]) => ({ file: 'compose.blue.yml', services });
const green = (...services: string[]) => ({ file: 'compose.green.yml', services });

describe('findColoredServices', () => {
  test('style v1: overlays redefine compose.yml services under the same name', () => {
    const coloring = findColoredServices(base('db', 'platform', 'rag', 'proxy'), { blue: blue('platform', 'rag'), green: green('platform', 'rag') });
    assert.deepEqual([...coloring.colored.entries()], [
      ['platform', { blue: { file: 'compose.blue.yml', key: 'platform', standalone: false }, green: { file: 'compose.green.yml', key: 'platform', standalone: false } }],
      ['rag', { blue: { file: 'compose.blue.yml', key: 'rag', standalone: false }, green: { file: 'compose.green.yml', key: 'rag', standalone: false } }],
    ]);
    assert.deepEqual(coloring.shared, ['db', 'proxy']);
    assert.deepEqual(coloring.problems, []);
    assert.equal(coloring.roleOf('compose.yml', 'platform'), 'colored');
    assert.equal(coloring.roleOf('compose.yml', 'db'), 'shared');
  });

  test('style final: overlays define standalone <name>-<color> services; compose.yml\'s <name> is skipped, not shared', () => {
    const coloring = findColoredServices(base('db', 'platform', 'proxy'), { blue: blue('platform-blue'), green: green('platform-green') });
    assert.deepEqual([...coloring.colored.entries()], [
      ['platform', { blue: { file: 'compose.blue.yml', key: 'platform-blue', standalone: true }, green: { file: 'compose.green.yml', key: 'platform-green', standalone: true } }],
    ]);
    assert.deepEqual(coloring.shared, ['db', 'proxy']);
    assert.equal(coloring.roleOf('compose.yml', 'platform'), 'skipped');
    assert.equal(coloring.roleOf('compose.blue.yml', 'platform-blue'), 'colored');
  });

  const bad: Array<{ name: string; base: string[]; blue: string[]; green: string[]; problems: Array<[string, string, string]> }> = [
    {
      name: 'a service only in one overlay',
      base: ['web', 'worker'],
      blue: ['web', 'worker'],
      green: ['web'],
      problems: [['compose.blue.yml', 'services.worker', 'compose.green.yml has no worker or worker-green; both overlays must color the same services']],
    },
    {
      name: 'a standalone service only in one overlay',
      base: ['web'],
      blue: ['web', 'api-blue'],
      green: ['web'],
      problems: [['compose.blue.yml', 'services.api-blue', 'compose.green.yml has no api or api-green; both overlays must color the same services']],
    },
    {
      name: 'an overlay service that is neither in compose.yml nor suffixed',
      base: ['web'],
      blue: ['web', 'stray'],
      green: ['web'],
      problems: [['compose.blue.yml', 'services.stray', 'is neither a service of compose.yml nor named <service>-blue, so cutover cannot tell which service it colors']],
    },
    {
      name: 'a wrong color suffix',
      base: ['web'],
      blue: ['web-green'],
      green: ['web-green'],
      problems: [
        ['compose.blue.yml', 'services.web-green', 'is neither a service of compose.yml nor named <service>-blue, so cutover cannot tell which service it colors'],
        ['compose.green.yml', 'services.web-green', 'compose.blue.yml has no web or web-blue; both overlays must color the same services'],
      ],
    },
    {
      name: 'a service colored twice in one overlay',
      base: ['web'],
      blue: ['web', 'web-blue'],
      green: ['web'],
      problems: [['compose.blue.yml', 'services.web-blue', 'colors web a second time (services.web does already)']],
    },
    {
      name: 'empty overlays',
      base: ['web'],
      blue: [],
      green: [],
      problems: [['compose.blue.yml', 'services', 'names no services; compose.blue.yml and compose.green.yml must name the services that run in blue and green']],
    },
  ];
  for (const example of bad) {
    test(`problem: ${example.name}`, () => {
      const coloring = findColoredServices(base(...example.base), { blue: blue(...example.blue), green: green(...example.green) });
      assert.deepEqual(coloring.problems.map((p) => [p.file, p.path, p.message]), example.problems);
    });
  }

  test('a missing overlay adds no problems of its own here', () => {
    const coloring = findColoredServices(base('web'), { blue: blue('web'), green: undefined });
    assert.deepEqual(coloring.problems, []);
    assert.equal(coloring.colored.size, 0);
  });
});
