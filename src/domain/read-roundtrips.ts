import { parseRoundtripLine, type Roundtrip } from './parse-roundtrip-line.js';

/** The round trips of a piece of the traffic log, and what could not be read. */
export interface RoundtripBatch {
  roundtrips: Roundtrip[];
  /** Lines that were not round trips cutover could read: to count and warn about, never a crash. */
  unparseable: number;
  /** Why the first of them could not be read, for the warning. */
  firstUnparseable: string | undefined;
  /**
   * The text after the last newline: a line Caddy has not finished writing.
   * Put it in front of the next piece read from the log.
   */
  rest: string;
}

/**
 * Reads the complete lines of `text`, a piece of the traffic log as read from
 * a file or a container's log stream (the previous piece's `rest` first).
 */
export function readRoundtrips(text: string): RoundtripBatch {
  const end = text.lastIndexOf('\n');
  const batch: RoundtripBatch = { roundtrips: [], unparseable: 0, firstUnparseable: undefined, rest: text.slice(end + 1) };
  if (end === -1) return batch;
  for (const line of text.slice(0, end).split('\n')) {
    const parsed = parseRoundtripLine(line);
    if (parsed.kind === 'roundtrip') batch.roundtrips.push(parsed.roundtrip);
    else if (parsed.kind === 'unparseable') {
      batch.unparseable++;
      batch.firstUnparseable ??= parsed.reason;
    }
  }
  return batch;
}
