import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAdminExposure, isLoopbackHost, parseAdminAddress } from '../../../src/adapters/caddy/parse-admin-address.js';
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
    ['https://127.0.0.1:2019', { kind: 'tcp', origin: 'https://127.0.0.1:2019', text: 'https://127.0.0.1:2019' }],
    ['https://caddy.example.com:2021/', { kind: 'tcp', origin: 'https://caddy.example.com:2021', text: 'https://caddy.example.com:2021' }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseAdminAddress(input), expected, input);
});

test('refuses anything else with a one-line usage error that names the forms', () => {
  for (const input of ['', '   ', '127.0.0.1', 'localhost', 'unix/', 'ftp://127.0.0.1:2019', 'http://127.0.0.1:2019/config/', 'http://u:p@127.0.0.1:2019', 'http://:2019', 'not a host:99']) {
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

test('loopback hosts: 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost', () => {
  for (const host of ['127.0.0.1', '127.5.6.7', 'localhost', 'LOCALHOST', 'admin.localhost', '[::1]', '::1', '[::ffff:7f00:1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['10.1.2.3', '192.168.1.1', '0.0.0.0', '128.0.0.1', 'caddy.internal', 'localhost.example.com', '127.0.0.1.nip.io', '[fe80::1]', '[::ffff:a00:1]', '[::]']) assert.equal(isLoopbackHost(host), false, host);
});

test('loopback, unix sockets and https pass the exposure check without a word', () => {
  for (const input of ['http://127.0.0.1:2019', '127.9.9.9:2019', ':2019', 'localhost:2019', '[::1]:2019', 'http://[::ffff:127.0.0.1]:2019', 'unix//run/caddy/admin.sock', 'https://10.1.2.3:2019', 'https://caddy.example.com']) {
    assert.equal(checkAdminExposure(parseAdminAddress(input), false), undefined, input);
  }
});

test('plain http to a host that is not loopback is refused with one line that says why, unless allowed', () => {
  for (const input of ['http://10.1.2.3:2019', '10.1.2.3:2019', 'tcp/192.168.0.5:2019', 'http://caddy.internal:2019', 'http://0.0.0.0:2019', 'http://[fe80::1]:2019', 'http://[::ffff:10.0.0.1]:2019', 'HTTP://10.1.2.3:2019']) {
    const address = parseAdminAddress(input);
    assert.throws(
      () => checkAdminExposure(address, false),
      (error: unknown) =>
        error instanceof UsageError &&
        error.exitCode === 2 &&
        !error.message.includes('\n') &&
        error.message.includes(address.text) &&
        /no authentication: whoever can reach it controls Caddy/.test(error.message) &&
        /--allow-remote-admin/.test(error.hint ?? ''),
      input,
    );
    const warning = checkAdminExposure(address, true);
    assert.match(warning ?? '', /no authentication.*allowed by --allow-remote-admin/, input);
  }
});
