import { isIP } from 'node:net';
import { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { EngineHostConfig } from './container-settings.js';
import { byShape, convert, nonEmptyText, scalarText } from './schema-leaves.js';

/**
 * Name resolution: dns, dns_search, dns_opt, extra_hosts. extra_hosts become
 * Docker's `host:address` strings; `host-gateway` is passed through, and the
 * engine (20.10 and newer) puts its gateway address there.
 */

const ip = convert((value, reject) => (typeof value === 'string' && isIP(value) !== 0 ? value : reject(`expected an IP address, got ${describeValue(value)}`)));

const oneOrMore = <T>(leaf: z.ZodType<T>) => byShape('a value or a list', { scalar: leaf.transform((item) => [item]), list: z.array(leaf) });

function hostEntry(host: string, address: string, reject: (message: string) => never): string {
  if (host === '' || !/^[a-zA-Z0-9_.-]+$/.test(host)) return reject(`${describeValue(host)} is not a host name`);
  if (address !== 'host-gateway' && isIP(address) === 0) return reject(`the address of ${host} must be an IP address or host-gateway, got ${describeValue(address)}`);
  return `${host}:${address}`;
}

/** `host:ip` (Docker's and Compose 1.29's form) or `host=ip` (the spec's, needed for IPv6). */
const hostLine = convert((value, reject) => {
  if (typeof value !== 'string') return reject(`expected host:address, got ${describeValue(value)}`);
  const eq = value.indexOf('=');
  const at = eq !== -1 ? eq : value.indexOf(':');
  if (at === -1) return reject(`expected host:address or host=address, got ${describeValue(value)}`);
  return hostEntry(value.slice(0, at), value.slice(at + 1), reject);
});

const extraHosts = byShape('a list of host:address or a mapping', {
  list: z.array(hostLine),
  mapping: z.record(z.string(), z.unknown()).transform((entries, ctx) => {
    const lines: string[] = [];
    for (const [host, value] of Object.entries(entries)) {
      for (const address of Array.isArray(value) ? value : [value]) {
        try {
          lines.push(
            hostEntry(host, typeof address === 'string' ? address : String(address), (message) => {
              throw new Error(message);
            }),
          );
        } catch (error) {
          ctx.issues.push({ code: 'custom', path: [host], input: address, message: (error as Error).message });
        }
      }
    }
    return lines;
  }),
});

export const dnsKeys = {
  dns: oneOrMore(ip).optional(),
  dns_search: oneOrMore(nonEmptyText).optional(),
  dns_opt: z.array(scalarText).optional(),
  extra_hosts: extraHosts.optional(),
};

type Fields = { [K in keyof typeof dnsKeys]?: z.output<(typeof dnsKeys)[K]> };

export function translateDnsKeys(fields: Fields): EngineHostConfig {
  const out: EngineHostConfig = {};
  if (fields.dns !== undefined) out.Dns = fields.dns;
  if (fields.dns_search !== undefined) out.DnsSearch = fields.dns_search;
  if (fields.dns_opt !== undefined) out.DnsOptions = fields.dns_opt;
  // Sorted by host name, as docker-compose sends them (the order does not change what a name resolves to).
  if (fields.extra_hosts !== undefined) out.ExtraHosts = [...fields.extra_hosts].sort();
  return out;
}
