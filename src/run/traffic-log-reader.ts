import type { Roundtrip } from '../domain/parse-roundtrip-line.js';

/** What a reader of cutover's traffic log hands over at each look. */
export interface TrafficLogPiece {
  /** Round trips logged since the previous take. */
  roundtrips: Roundtrip[];
  /** Lines since the previous take that were not round trips cutover could read: counted, never a crash. */
  unparseable: number;
  firstUnparseable: string | undefined;
}

/**
 * Reads the round trips Caddy writes to cutover's traffic log, from the moment
 * it was opened: a file on the host (tail-traffic-file.ts) or a Caddy
 * container's stderr through the Docker API (follow-caddy-container-log.ts).
 */
export interface TrafficLogReader {
  /** Where the lines come from, for messages. */
  readonly describe: string;
  take(): Promise<TrafficLogPiece>;
  close(): Promise<void>;
}
