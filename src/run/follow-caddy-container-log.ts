import { readRoundtrips } from '../domain/read-roundtrips.js';
import type { Runtime } from './runtime.js';
import type { TrafficLogPiece, TrafficLogReader } from './traffic-log-reader.js';

/**
 * Reads the traffic log of a Caddy that runs in a container: cutover's log
 * writes to Caddy's stderr (`output: stderr`), and cutover follows that
 * container's stderr through the Docker API from now on. Caddy's other
 * stderr lines (its own logs) are skipped as not round trips.
 */
export async function followCaddyContainerLog(runtime: Runtime, container: { id: string; name: string }): Promise<TrafficLogReader> {
  // A second back: a line written while the stream was being set up is not lost; the window's bounds drop older ones.
  const followed = await runtime.docker.followLog(container.id, Date.now() / 1000 - 1);
  let rest = '';
  let warned = false;
  return {
    describe: `stderr of container ${container.name}`,
    async take(): Promise<TrafficLogPiece> {
      const ended = followed.ended();
      if (ended !== undefined && !warned) {
        warned = true;
        runtime.logger.warn({ event: 'traffic.log.ended', container: container.name }, `the real-traffic log of ${container.name} stopped: ${ended}`);
      }
      const batch = readRoundtrips(rest + followed.drain());
      rest = batch.rest;
      return { roundtrips: batch.roundtrips, unparseable: batch.unparseable, firstUnparseable: batch.firstUnparseable };
    },
    close: () => followed.stop(),
  };
}
