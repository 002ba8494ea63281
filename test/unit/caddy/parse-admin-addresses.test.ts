import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseAdminAddresses, splitAdminList } from '../../../src/adapters/caddy/parse-admin-addresses.js';
import { resolveContext } from '../../../src/commands/command-context.js';
import { UsageError } from '../../../src/errors.js';

const oneLineUsage = (pattern: RegExp) => (error: unknown) => error instanceof UsageError && error.exitCode === 2 && !error.message.includes('\n') && pattern.test(error.message);

test('several addresses are each parsed as one address is; one address is a list of one', () => {
  assert.deepEqual(
    parseAdminAddresses(['127.0.0.1:2019', 'unix//run/caddy/admin.sock', 'https://127.0.0.1:2020']).map((a) => a.text),
    ['http://127.0.0.1:2019', 'unix//run/caddy/admin.sock', 'https://127.0.0.1:2020'],
  );
  assert.deepEqual(parseAdminAddresses(['127.0.0.1:2019']).map((a) => a.text), ['http://127.0.0.1:2019']);
});

test('an empty item, the same instance twice (in any notation) or a malformed item is a one-line usage error', () => {
  assert.throws(() => parseAdminAddresses(['127.0.0.1:2019', '']), oneLineUsage(/address 2 of 2 is empty/));
  assert.throws(() => parseAdminAddresses(splitAdminList('127.0.0.1:2019,')), oneLineUsage(/is empty/));
  assert.throws(() => parseAdminAddresses(['127.0.0.1:2019', 'http://127.0.0.1:2019/']), oneLineUsage(/http:\/\/127\.0\.0\.1:2019 is given twice/));
  assert.throws(() => parseAdminAddresses(['127.0.0.1:2019', '127.0.0.1']), oneLineUsage(/the port is missing/));
});

test('the flag given several times, or CADDY_ADMIN as a comma-separated list, names every instance; the flag wins', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cutover-admins-'));
  const base = { projectDir: dir, logFormat: 'json' as const };
  assert.deepEqual(resolveContext({ ...base, caddyAdmin: ['127.0.0.1:2019', '127.0.0.1:2020'] }, {}).caddyAdmins, ['127.0.0.1:2019', '127.0.0.1:2020']);
  assert.deepEqual(resolveContext(base, { CADDY_ADMIN: '127.0.0.1:2019, 127.0.0.1:2020' }).caddyAdmins, ['127.0.0.1:2019', '127.0.0.1:2020']);
  assert.deepEqual(resolveContext({ ...base, caddyAdmin: ['127.0.0.1:2021'] }, { CADDY_ADMIN: '127.0.0.1:2019,127.0.0.1:2020' }).caddyAdmins, ['127.0.0.1:2021']);
  const single = resolveContext({ ...base, caddyAdmin: 'http://127.0.0.1:2019' }, {});
  assert.deepEqual([single.caddyAdmin, single.caddyAdmins], ['http://127.0.0.1:2019', ['http://127.0.0.1:2019']]);
  writeFileSync(path.join(dir, '.env'), 'CADDY_ADMIN=127.0.0.1:2031,127.0.0.1:2032\n');
  assert.deepEqual(resolveContext(base, {}).caddyAdmins, ['127.0.0.1:2031', '127.0.0.1:2032']);
  assert.throws(() => resolveContext(base, { CADDY_ADMIN: '127.0.0.1:2019,,127.0.0.1:2020' }), oneLineUsage(/address 2 of 3 is empty/));
  assert.throws(() => resolveContext({ ...base, caddyAdmin: ['127.0.0.1:2019', '127.0.0.1:2019'] }, {}), oneLineUsage(/given twice/));
  // The loopback rule holds for each instance.
  assert.throws(() => resolveContext({ ...base, caddyAdmin: ['127.0.0.1:2019', 'http://10.1.2.3:2019'] }, {}), oneLineUsage(/not loopback/));
});
