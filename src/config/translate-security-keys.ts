import { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { EngineHostConfig } from './container-settings.js';
import { isLinuxCapability } from './linux-capabilities.js';
import { isNamespacedSysctl } from './namespaced-sysctl.js';
import { bool, byShape, convert, integer, keyValueList, nonEmptyText, scalarText } from './schema-leaves.js';

/**
 * Privileges and namespaces: read_only, privileged, cap_add, cap_drop,
 * security_opt, group_add, userns_mode, ipc, pid, uts, cgroup, cgroup_parent,
 * oom_score_adj, oom_kill_disable, sysctls. Copied as Compose does; values
 * Docker would refuse at create time are refused when the file is read.
 */

const capability = convert((value, reject) => {
  if (typeof value === 'string' && isLinuxCapability(value)) return value;
  return reject(`${describeValue(value)} is not a Linux capability (e.g. NET_BIND_SERVICE, CHOWN, ALL; see capabilities(7))`);
});

const SECURITY_OPTION = /^(no-new-privileges([:=](true|false))?|label[:=].+|apparmor[:=].+|seccomp[:=]unconfined|systempaths[:=]unconfined|proc-opts[:=].+)$/;

const securityOption = convert((value, reject) => {
  if (typeof value !== 'string') return reject(`expected a string like no-new-privileges:true, got ${describeValue(value)}`);
  if (/^seccomp[:=]/.test(value) && !SECURITY_OPTION.test(value)) {
    return reject(`${describeValue(value)}: a seccomp profile file is not supported; use seccomp=unconfined or leave the engine's default profile`);
  }
  return SECURITY_OPTION.test(value) ? value : reject(`${describeValue(value)} is not a security option (no-new-privileges:true, label=..., apparmor=..., seccomp=unconfined)`);
});

/** `service:<name>` would join another service's container, which blue/green replaces; `container:<name>` names a fixed one and is kept. */
function namespaceMode(key: string, allowed: readonly string[]) {
  return convert((value, reject) => {
    if (typeof value !== 'string') return reject(`expected ${allowed.join(', ')} or container:<name>, got ${describeValue(value)}`);
    if (value.startsWith('service:')) return reject(`${describeValue(value)} is not supported: cutover replaces containers on every deploy, so ${key} cannot follow another service's container; use container:<name> of a shared service`);
    if (allowed.includes(value) || (allowed.includes('container:') && /^container:.+/.test(value))) return value;
    return reject(`expected ${allowed.filter((a) => a !== 'container:').join(', ')}${allowed.includes('container:') ? ' or container:<name>' : ''}, got ${describeValue(value)}`);
  });
}

const sysctlMapping = z.record(z.string(), scalarText);

const sysctls = byShape('a list of name=value or a mapping', { list: keyValueList(''), mapping: sysctlMapping }).transform((entries, ctx) => {
  for (const name of Object.keys(entries)) {
    if (!isNamespacedSysctl(name)) {
      ctx.issues.push({ code: 'custom', path: [name], input: name, message: `${name} is not a namespaced sysctl: a container may only set kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* and net.*` });
    }
  }
  return entries;
});

const oomScore = integer(-1000).transform((value, ctx) => {
  if (value > 1000) ctx.issues.push({ code: 'custom', input: value, message: `must be between -1000 and 1000, got ${value}` });
  return value;
});

export const securityKeys = {
  read_only: bool.optional(),
  privileged: bool.optional(),
  cap_add: z.array(capability).optional(),
  cap_drop: z.array(capability).optional(),
  security_opt: z.array(securityOption).optional(),
  group_add: z.array(scalarText).optional(),
  userns_mode: namespaceMode('userns_mode', ['host']).optional(),
  ipc: namespaceMode('ipc', ['none', 'private', 'shareable', 'host', 'container:']).optional(),
  pid: namespaceMode('pid', ['host', 'container:']).optional(),
  uts: namespaceMode('uts', ['host']).optional(),
  cgroup: namespaceMode('cgroup', ['host', 'private']).optional(),
  cgroup_parent: nonEmptyText.optional(),
  oom_score_adj: oomScore.optional(),
  oom_kill_disable: bool.optional(),
  sysctls: sysctls.optional(),
};

type Fields = { [K in keyof typeof securityKeys]?: z.output<(typeof securityKeys)[K]> };

export function translateSecurityKeys(fields: Fields): EngineHostConfig {
  const out: EngineHostConfig = {};
  if (fields.read_only !== undefined) out.ReadonlyRootfs = fields.read_only;
  if (fields.privileged !== undefined) out.Privileged = fields.privileged;
  // Sets, as Compose merges them: sorted and without repeats, as docker-compose sends them.
  if (fields.cap_add !== undefined) out.CapAdd = [...new Set(fields.cap_add)].sort();
  if (fields.cap_drop !== undefined) out.CapDrop = [...new Set(fields.cap_drop)].sort();
  if (fields.security_opt !== undefined) out.SecurityOpt = fields.security_opt;
  if (fields.group_add !== undefined) out.GroupAdd = fields.group_add;
  if (fields.userns_mode !== undefined) out.UsernsMode = fields.userns_mode;
  if (fields.ipc !== undefined) out.IpcMode = fields.ipc;
  if (fields.pid !== undefined) out.PidMode = fields.pid;
  if (fields.uts !== undefined) out.UTSMode = fields.uts;
  if (fields.cgroup !== undefined) out.CgroupnsMode = fields.cgroup;
  if (fields.cgroup_parent !== undefined) out.CgroupParent = fields.cgroup_parent;
  if (fields.oom_score_adj !== undefined) out.OomScoreAdj = fields.oom_score_adj;
  if (fields.oom_kill_disable !== undefined) out.OomKillDisable = fields.oom_kill_disable;
  if (fields.sysctls !== undefined) out.Sysctls = fields.sysctls;
  return out;
}
