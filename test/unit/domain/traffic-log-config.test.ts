import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../../src/domain/caddy-json.js';
import { hasTrafficLog, TRAFFIC_LOG_NAME, withoutTrafficLog, withTrafficLog } from '../../../src/domain/traffic-log-config.js';

const FILE = '/var/log/caddy/cutover-traffic.log';
const OUR_LOG = {
  writer: { output: 'file', filename: FILE },
  encoder: { format: 'json' },
  level: 'DEBUG',
  include: ['http.handlers.reverse_proxy'],
};
const apps = { http: { servers: { srv0: { listen: [':80'], routes: [] } } } };

describe('withTrafficLog / withoutTrafficLog', () => {
  // [what, the user's config, the config with cutover's log]
  const cases: Array<[string, JsonObject, JsonObject]> = [
    ['no logging at all', { apps }, { apps, logging: { logs: { [TRAFFIC_LOG_NAME]: OUR_LOG, default: { exclude: ['http.handlers.reverse_proxy'] } } } }],
    [
      "the user's default log at DEBUG with its own exclude, and an access log",
      {
        apps,
        logging: {
          sink: { writer: { output: 'stdout' } },
          logs: {
            default: { level: 'DEBUG', exclude: ['http.log.access.log0'] },
            log0: { writer: { output: 'file', filename: '/var/log/access.log' }, include: ['http.log.access.log0'] },
          },
        },
      },
      {
        apps,
        logging: {
          sink: { writer: { output: 'stdout' } },
          logs: {
            default: { level: 'DEBUG', exclude: ['http.log.access.log0', 'http.handlers.reverse_proxy'] },
            log0: { writer: { output: 'file', filename: '/var/log/access.log' }, include: ['http.log.access.log0'] },
            [TRAFFIC_LOG_NAME]: OUR_LOG,
          },
        },
      },
    ],
    [
      "a default log with a writer and no exclude",
      { apps, logging: { logs: { default: { writer: { output: 'stderr' }, level: 'WARN' } } } },
      { apps, logging: { logs: { default: { writer: { output: 'stderr' }, level: 'WARN', exclude: ['http.handlers.reverse_proxy'] }, [TRAFFIC_LOG_NAME]: OUR_LOG } } },
    ],
  ];
  for (const [what, user, expected] of cases) {
    test(`${what}: adds the file log and the default's exclude`, () => {
      const before = structuredClone(user);
      const result = withTrafficLog(user, { filename: FILE });
      assert.deepEqual(result, expected);
      assert.deepEqual(user, before, 'the input config was changed');
      assert.equal(hasTrafficLog(result), true);
    });
    test(`${what}: adding twice is adding once`, () => {
      const once = withTrafficLog(user, { filename: FILE });
      assert.deepEqual(withTrafficLog(once, { filename: FILE }), once);
    });
    test(`${what}: removing gives back the user's config, twice as well`, () => {
      const removed = withoutTrafficLog(withTrafficLog(user, { filename: FILE }));
      assert.deepEqual(removed, user);
      assert.deepEqual(withoutTrafficLog(removed), user);
      assert.equal(hasTrafficLog(removed), false);
    });
  }

  test('a new filename replaces the old one, never a second log', () => {
    const moved = withTrafficLog(withTrafficLog({ apps }, { filename: FILE }), { filename: '/tmp/other.log' });
    const logs = (moved.logging as { logs: Record<string, { writer?: { filename?: string }; exclude?: string[] }> }).logs;
    assert.deepEqual(Object.keys(logs).sort(), ['cutover-traffic', 'default']);
    assert.equal(logs[TRAFFIC_LOG_NAME]?.writer?.filename, '/tmp/other.log');
    assert.deepEqual(logs.default?.exclude, ['http.handlers.reverse_proxy']);
  });

  test('a config without the log comes back equal from withoutTrafficLog', () => {
    const user: JsonObject = { apps, logging: { logs: { default: { exclude: ['http.handlers.reverse_proxy'] } } } };
    assert.deepEqual(withoutTrafficLog(user), user);
  });

  test('the writer is a file, never net (2.6 refuses a config whose net writer does not answer)', () => {
    const writer = ((withTrafficLog({}, { filename: FILE }).logging as JsonObject).logs as Record<string, { writer: { output: string } }>)[TRAFFIC_LOG_NAME]?.writer;
    assert.equal(writer?.output, 'file');
  });

  test('a relative filename is refused', () => {
    assert.throws(() => withTrafficLog({}, { filename: 'traffic.log' }), /absolute path/);
  });
});
