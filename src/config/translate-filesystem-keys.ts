import { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { EngineDevice, EngineHostConfig } from './container-settings.js';
import { byShape, bytes, convert, keyValueList, nonEmptyText, scalarText } from './schema-leaves.js';

/**
 * The container's file systems and devices: tmpfs, shm_size, devices,
 * device_cgroup_rules, storage_opt. (Mounts of volumes live in parse-volume.ts;
 * secrets and configs in translate-mounted-files.ts.)
 */

/** `/run` or `/run:size=64m,mode=1777` → [path, options]. */
const tmpfsEntry = convert((value, reject): [string, string] => {
  if (typeof value !== 'string' || !value.startsWith('/')) return reject(`expected an absolute path, optionally with :options, got ${describeValue(value)}`);
  const colon = value.indexOf(':');
  return colon === -1 ? [value, ''] : [value.slice(0, colon), value.slice(colon + 1)];
});

const tmpfs = byShape('a path or a list of paths', {
  scalar: tmpfsEntry.transform((entry) => [entry]),
  list: z.array(tmpfsEntry),
});

const PERMISSIONS = /^[rwm]{1,3}$/;

/** Docker's parser (and so Compose 1.29's): host[:container[:permissions]], permissions rwm by default. */
const deviceString = convert((value, reject): EngineDevice => {
  if (typeof value !== 'string' || value === '') return reject(`expected /dev/host[:/dev/container[:rwm]], got ${describeValue(value)}`);
  if (!value.startsWith('/')) return reject(`${describeValue(value)}: device paths must be absolute; CDI device names need a newer engine than Docker 20.10`);
  const [host = '', container = host, permissions = 'rwm', ...extra] = value.split(':');
  if (extra.length > 0 || !PERMISSIONS.test(permissions) || !container.startsWith('/')) return reject(`expected /dev/host[:/dev/container[:rwm]], got ${describeValue(value)}`);
  return { PathOnHost: host, PathInContainer: container, CgroupPermissions: permissions };
});

const device = byShape('a device', {
  scalar: deviceString,
  mapping: z
    .strictObject({ source: nonEmptyText, target: nonEmptyText.optional(), permissions: nonEmptyText.optional() })
    .transform((entry): EngineDevice => ({ PathOnHost: entry.source, PathInContainer: entry.target ?? entry.source, CgroupPermissions: entry.permissions ?? 'rwm' })),
});

const cgroupRule = convert((value, reject) => {
  if (typeof value === 'string' && /^[acb] (\d+|\*):(\d+|\*) [rwm]{1,3}$/.test(value)) return value;
  return reject(`expected a rule like 'c 1:3 mr' (type major:minor permissions), got ${describeValue(value)}`);
});

export const filesystemKeys = {
  tmpfs: tmpfs.optional(),
  shm_size: bytes.optional(),
  devices: z.array(device).optional(),
  device_cgroup_rules: z.array(cgroupRule).optional(),
  storage_opt: byShape('a mapping', { mapping: z.record(z.string(), scalarText), list: keyValueList('') }).optional(),
};

type Fields = { [K in keyof typeof filesystemKeys]?: z.output<(typeof filesystemKeys)[K]> };

export function translateFilesystemKeys(fields: Fields): EngineHostConfig {
  const out: EngineHostConfig = {};
  if (fields.tmpfs !== undefined) out.Tmpfs = Object.fromEntries(fields.tmpfs);
  if (fields.shm_size !== undefined) out.ShmSize = fields.shm_size;
  if (fields.devices !== undefined) out.Devices = fields.devices;
  if (fields.device_cgroup_rules !== undefined) out.DeviceCgroupRules = fields.device_cgroup_rules;
  if (fields.storage_opt !== undefined) out.StorageOpt = fields.storage_opt;
  return out;
}
