import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveProjectName } from '../../../src/config/resolve-project-name.js';

describe('resolveProjectName', () => {
  const cases: Array<[string, { name?: string; composeProjectName?: string; directoryName: string }, ReturnType<typeof resolveProjectName>]> = [
    ['name: wins', { name: 'tale', composeProjectName: 'other', directoryName: 'dir' }, { ok: true, name: 'tale' }],
    ['then COMPOSE_PROJECT_NAME', { composeProjectName: 'from-env', directoryName: 'dir' }, { ok: true, name: 'from-env' }],
    ['then the directory', { directoryName: 'my-app' }, { ok: true, name: 'my-app' }],
    ['the directory name is normalised', { directoryName: '_My App.v2' }, { ok: true, name: 'myappv2' }],
    ['an empty name: falls through', { name: '', directoryName: 'dir' }, { ok: true, name: 'dir' }],
    [
      'an explicit name must already be valid',
      { name: 'My App', directoryName: 'dir' },
      { ok: false, message: '"My App" is not a valid project name: use lowercase letters, digits, "-" and "_", starting with a letter or digit' },
    ],
    [
      'COMPOSE_PROJECT_NAME must start with a letter or digit',
      { composeProjectName: '-x', directoryName: 'dir' },
      { ok: false, message: '"-x" is not a valid project name: use lowercase letters, digits, "-" and "_", starting with a letter or digit' },
    ],
    [
      'a directory name with nothing usable',
      { directoryName: '...' },
      { ok: false, message: 'the directory name "..." gives no valid project name; set name: in the compose file or COMPOSE_PROJECT_NAME' },
    ],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.deepEqual(resolveProjectName({ name: input.name, composeProjectName: input.composeProjectName, directoryName: input.directoryName }), expected);
    });
  }
});
