import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAdminAddress } from '../../../src/adapters/caddy/parse-admin-address.js';
import { UsageError } from '../../../src/errors.js';

test('accepts the forms Caddy itself uses', () => {
  const cases: Array<[string, ReturnType<typeof parseAdminAddress>]> = [
    ['http://127.0.0.1:2019', { kind: 'tcp', origin: 'http://127.0.0.1:2019', text: 'http://127.0.0.1:2019' }],
    ['http://127.0.0.1:2019/', { kind: 'tcp', origin: 'http://127.0.0.1:2019', text: 'http://127.0.0.1:2019' }],
    ['127.0.0.1:2019', { kind: 'tcp', origin: 'http://127.0.0.1:2019', text: 'http://127.0.0.1:2019' }],
    ['localhost:2019', { kind: 'tcp', origin: 'http://localhost:2019', text: 'http://localhost:2019' }],
    ['[::1]:2019', { kind: 'tcp', origin: 'http://[::1]:2019', text: 'http://[::1]:2019' }],
    ['tcp/127.0.0.1:2019', { kind: 'tcp', origin: 'http://127.0.0.1:2019', text: 'http://127.0.0.1:2019' }],
    [':2019', { kind: 'tcp', origin: 'http://127.0.0.1:2019', text: 'http://127.0.0.1:2019' }],
    ['  127.0.0.1:2019 ', { kind: 'tcp', origin: 'http://127.0.0.1:2019', text: 'http://127.0.0.1:2019' }],
    ['unix//run/caddy/admin.sock', { kind: 'unix', socketPath: '/run/caddy/admin.sock', text: 'unix//run/caddy/admin.sock' }],
    ['unix//run/caddy/admin.sock|0220', { kind: 'unix', socketPath: '/run/caddy/admin.sock', text: 'unix//run/caddy/admin.sock' }],
    ['unix/admin.sock', { kind: 'unix', socketPath: 'admin.sock', text: 'unix/admin.sock' }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseAdminAddress(input), expected, input);
});

test('refuses anything else with a one-line usage error that names the forms', () => {
  for (const input of ['', '   ', '127.0.0.1', 'localhost', 'unix/', 'https://127.0.0.1:2019', 'ftp://127.0.0.1:2019', 'http://127.0.0.1:2019/config/', 'http://u:p@127.0.0.1:2019', 'http://:2019', 'not a host:99']) {
    assert.throws(
      () => parseAdminAddress(input),
      (error: unknown) =>
        error instanceof UsageError &&
        error.exitCode === 2 &&
        !error.message.includes('\n') &&
        error.message.includes('unix//path/to/admin.sock') &&
        /CADDY_ADMIN/.test(error.hint ?? ''),
      JSON.stringify(input),
    );
  }
});
