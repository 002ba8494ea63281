import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import type { TrafficLogOptions } from '../domain/traffic-log-config.js';
import { chooseTrafficLog, TRAFFIC_LOG_FILE, type TrafficLogPlace } from './choose-traffic-log.js';
import { caddyInstances, type Runtime } from './runtime.js';
import type { TrafficLogReader } from './traffic-log-reader.js';

/** Where every Caddy instance writes cutover's traffic log; `writer` is the first one's. */
export interface InstanceTrafficLogs extends TrafficLogPlace {
  /** The writer that goes into this instance's config. */
  writerFor(admin: CaddyAdmin): TrafficLogOptions;
}

/** `cutover-traffic-127.0.0.1-2029.log`: one file per instance, named for its admin address. */
function fileFor(admin: CaddyAdmin): string {
  const slug = admin.address.text.replace(/^[a-z]+:\/+/i, '').replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return TRAFFIC_LOG_FILE.replace(/\.log$/, `-${slug}.log`);
}

/** One reader over several: each look takes what every instance logged since the last one, as one piece. */
function mergeReaders(readers: readonly TrafficLogReader[]): TrafficLogReader {
  return {
    describe: readers.map((r) => r.describe).join(', '),
    async take() {
      const pieces = await Promise.all(readers.map((r) => r.take()));
      return {
        roundtrips: pieces.flatMap((p) => p.roundtrips),
        unparseable: pieces.reduce((sum, p) => sum + p.unparseable, 0),
        firstUnparseable: pieces.find((p) => p.firstUnparseable !== undefined)?.firstUnparseable,
      };
    },
    async close() {
      await Promise.all(readers.map((r) => r.close()));
    },
  };
}

/**
 * The traffic log of every Caddy instance, for the canary's real-traffic
 * analysis (docs/multi-instance.md): each instance writes its own (a file per
 * instance on the host, never one shared; a container's stderr), and the
 * analysis reads them all as one, judging the union of their traffic. One
 * Caddy: exactly chooseTrafficLog's place.
 */
export async function chooseInstanceTrafficLogs(runtime: Runtime): Promise<InstanceTrafficLogs> {
  const admins = caddyInstances(runtime);
  const places = await Promise.all(admins.map((admin) => chooseTrafficLog(runtime, admin, admins.length === 1 ? TRAFFIC_LOG_FILE : fileFor(admin))));
  const byAdmin = new Map(admins.map((admin, index) => [admin, places[index] as TrafficLogPlace]));
  const first = places[0] as TrafficLogPlace;
  return {
    writer: first.writer,
    writerFor: (admin) => (byAdmin.get(admin) ?? first).writer,
    describe: places.map((p) => p.describe).join(', '),
    open: async () => (places.length === 1 ? first.open() : mergeReaders(await Promise.all(places.map((p) => p.open())))),
  };
}
