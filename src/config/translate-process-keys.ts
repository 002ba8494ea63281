import type { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { EngineConfig, EngineHostConfig } from './container-settings.js';
import { bool, convert, nonEmptyText, scalarText } from './schema-leaves.js';

/**
 * Who and where the process runs: user, working_dir, hostname, domainname,
 * mac_address, init, tty, stdin_open, runtime. Compose copies each into the
 * create request as is (`user: "1000:1000"` → Config.User).
 */

const absoluteDir = convert((value, reject) => {
  if (typeof value !== 'string' || value === '') return reject(`expected an absolute path, got ${describeValue(value)}`);
  return value.startsWith('/') ? value : reject(`${describeValue(value)} must be an absolute path in the container`);
});

const macAddress = convert((value, reject) => {
  if (typeof value === 'string' && /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(value)) return value;
  return reject(`expected a MAC address like 02:42:ac:11:00:02, got ${describeValue(value)}`);
});

const hostname = convert((value, reject) => {
  if (typeof value === 'string' && /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252}[a-zA-Z0-9])?$/.test(value)) return value;
  return reject(`${describeValue(value)} is not a valid host name (letters, digits, . and -)`);
});

export const processKeys = {
  user: scalarText.optional(),
  working_dir: absoluteDir.optional(),
  hostname: hostname.optional(),
  domainname: hostname.optional(),
  mac_address: macAddress.optional(),
  init: bool.optional(),
  tty: bool.optional(),
  stdin_open: bool.optional(),
  runtime: nonEmptyText.optional(),
};

type Fields = { [K in keyof typeof processKeys]?: z.output<(typeof processKeys)[K]> };

export function translateProcessKeys(fields: Fields): { config: EngineConfig; hostConfig: EngineHostConfig } {
  const config: EngineConfig = {};
  const hostConfig: EngineHostConfig = {};
  if (fields.user !== undefined) config.User = fields.user;
  if (fields.working_dir !== undefined) config.WorkingDir = fields.working_dir;
  if (fields.hostname !== undefined) config.Hostname = fields.hostname;
  if (fields.domainname !== undefined) config.Domainname = fields.domainname;
  if (fields.mac_address !== undefined) config.MacAddress = fields.mac_address;
  if (fields.tty !== undefined) config.Tty = fields.tty;
  // Compose opens stdin and attaches it together (docker run -i).
  if (fields.stdin_open !== undefined) {
    config.OpenStdin = fields.stdin_open;
    config.AttachStdin = fields.stdin_open;
  }
  if (fields.init !== undefined) hostConfig.Init = fields.init;
  if (fields.runtime !== undefined) hostConfig.Runtime = fields.runtime;
  return { config, hostConfig };
}
