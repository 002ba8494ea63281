import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PortMapping } from '../../../src/config/model.js';
import { parsePort } from '../../../src/config/parse-port.js';

const tcp = (containerPort: number, hostPort?: number, hostIp?: string): PortMapping => ({ hostIp, hostPort, containerPort, protocol: 'tcp' });

describe('parsePort', () => {
  const cases: Array<[string, PortMapping[]]> = [
    ['80', [tcp(80)]],
    ['8080:80', [tcp(80, 8080)]],
    ['127.0.0.1:8080:80', [tcp(80, 8080, '127.0.0.1')]],
    ['127.0.0.1::80', [tcp(80, undefined, '127.0.0.1')]],
    ['8080:80/tcp', [tcp(80, 8080)]],
    ['53:53/udp', [{ hostIp: undefined, hostPort: 53, containerPort: 53, protocol: 'udp' }]],
    ['[::1]:8080:80', [tcp(80, 8080, '::1')]],
    ['::1:8080:80', [tcp(80, 8080, '::1')]],
    ['8000-8001:80-81', [tcp(80, 8000), tcp(81, 8001)]],
    ['3000-3001', [tcp(3000), tcp(3001)]],
    [' 3000:3000 ', [tcp(3000, 3000)]],
  ];
  for (const [text, mappings] of cases) {
    test(text, () => {
      assert.deepEqual(parsePort(text), { ok: true, mappings });
    });
  }

  const bad: Array<[string, string]> = [
    ['80:abc', '"80:abc" is not a port mapping: expected [[ip:]host:]container[/tcp|udp], e.g. "127.0.0.1:8080:80"'],
    ['', '"" is not a port mapping: expected [[ip:]host:]container[/tcp|udp], e.g. "127.0.0.1:8080:80"'],
    ['70000:80', '"70000:80" is not a port mapping: port 70000 is out of range (1-65535)'],
    ['8080:0', '"8080:0" is not a port mapping: port 0 is out of range (1-65535)'],
    ['80/sctp', '"80/sctp" is not a port mapping: protocol "sctp" is not supported (tcp or udp)'],
    ['localhost:8080:80', '"localhost:8080:80" is not a port mapping: "localhost" is not an IP address'],
    ['8000-8010:80', '"8000-8010:80" is not a port mapping: a host port range for one container port is not supported; publish one host port'],
    ['8000-8002:80-81', '"8000-8002:80-81" is not a port mapping: the host and container ranges differ in length'],
    ['81-80', '"81-80" is not a port mapping: range 81-80 ends before it starts'],
  ];
  for (const [text, message] of bad) {
    test(`refuses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parsePort(text), { ok: false, message });
    });
  }
});
