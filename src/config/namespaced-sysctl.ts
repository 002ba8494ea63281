/**
 * Whether Docker can set a sysctl per container: only those the kernel
 * namespaces (the IPC ones and, outside the host's network, net.*). Docker
 * refuses the rest at create time; cutover says so when the file is read.
 */
const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

export function isNamespacedSysctl(name: string): boolean {
  return IPC_SYSCTLS.has(name) || name.startsWith('fs.mqueue.') || name.startsWith('net.');
}
