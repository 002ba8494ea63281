import path from 'node:path';
import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import type { TrafficLogOptions } from '../domain/traffic-log-config.js';
import { followCaddyContainerLog } from './follow-caddy-container-log.js';
import type { Runtime } from './runtime.js';
import { tailTrafficFile } from './tail-traffic-file.js';
import type { TrafficLogReader } from './traffic-log-reader.js';

/** The file Caddy on the host writes the round trips to: next to the state file. */
export const TRAFFIC_LOG_FILE = 'cutover-traffic.log';

/** Where Caddy writes cutover's traffic log, and how cutover reads it. */
export interface TrafficLogPlace {
  /** The writer, as it goes into Caddy's config. */
  writer: TrafficLogOptions;
  /** For messages: the file, or the container. */
  describe: string;
  /** Starts reading from now; call before the change that adds the log, so no line is missed. */
  open(): Promise<TrafficLogReader>;
}

/**
 * Finds where Caddy runs, to pick its traffic log's writer:
 * - `CADDY_CONTAINER` (environment or `.env`) names the container: its stderr.
 * - Otherwise, when the admin API is a TCP address on this machine and a
 *   running container publishes its port, Caddy runs in that container: its
 *   stderr, read through the Docker API (a path inside the container is not
 *   one cutover can read).
 * - Otherwise Caddy runs on the host: a file next to the state file.
 * Never a `net` writer: on Caddy 2.6 one whose address does not answer makes
 * the whole config fail to load.
 */
/**
 * The container a Caddy instance runs in, if it does: the one `CADDY_CONTAINER`
 * names (the first instance's; its published ports unknown), else the running
 * container that publishes the instance's admin TCP port on this machine.
 * Undefined: Caddy on the host.
 */
export async function findCaddyContainer(
  runtime: Runtime,
  admin: CaddyAdmin = runtime.admin,
): Promise<{ id: string; name: string; published?: Array<{ privatePort: number; publicPort: number }> } | undefined> {
  const named = admin === runtime.admin ? runtime.env.CADDY_CONTAINER?.trim() : undefined;
  if (named !== undefined && named !== '') return { id: named, name: named };
  const address = admin.address;
  if (address.kind !== 'tcp') return undefined;
  const url = new URL(address.origin);
  return runtime.docker.findContainerPublishing(Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
}

export async function chooseTrafficLog(runtime: Runtime, admin: CaddyAdmin = runtime.admin, file: string = TRAFFIC_LOG_FILE): Promise<TrafficLogPlace> {
  const container = await findCaddyContainer(runtime, admin);
  if (container !== undefined) {
    const found = container;
    return { writer: { output: 'stderr' }, describe: `the stderr of container ${found.name}`, open: () => followCaddyContainerLog(runtime, found) };
  }
  const where = path.resolve(runtime.stateDir, file);
  return { writer: { filename: where }, describe: where, open: () => tailTrafficFile(where) };
}
