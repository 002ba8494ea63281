/** Linux capabilities Docker knows (capabilities(7)), without the CAP_ prefix; `ALL` stands for every one. */
export const LINUX_CAPABILITIES: ReadonlySet<string> = new Set([
  'ALL', 'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN', 'DAC_OVERRIDE',
  'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE', 'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE',
  'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID',
  'SYSLOG', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'WAKE_ALARM',
]);

/** `net_admin`, `CAP_NET_ADMIN` and `NET_ADMIN` all name NET_ADMIN (Docker accepts each spelling). */
export function isLinuxCapability(name: string): boolean {
  return LINUX_CAPABILITIES.has(name.toUpperCase().replace(/^CAP_/, ''));
}
