import { OperationFailedError } from '../../errors.js';

/**
 * A config ETag as Caddy sends it: `"<path> <hash>"`, quotes included, e.g.
 * `"/config/ 6bc352a9"`. It goes back verbatim in `If-Match`.
 *
 * Where it comes from tells the Caddy generation:
 * - 2.5.2 to 2.7.x: an HTTP trailer (`Trailer: ETag`), FNV-1a 32-bit, 8 hex digits;
 * - 2.8 and later: a normal header, xxhash64, 16 hex digits.
 */
export interface ConfigEtag {
  etag: string;
  source: 'header' | 'trailer';
  /** The config path the hash covers; `/config/` makes If-Match a global compare-and-swap. */
  path: string;
  hash: string;
}

type HeaderBag = Record<string, string | string[] | undefined>;

const ETAG_SHAPE = /^"(\S+) ([0-9a-f]+)"$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Finds the ETag of a config read in the response headers or, failing that,
 * in the trailers (which undici fills only once the body has been read).
 * `context` names the request in error messages, e.g. `GET /config/`.
 */
export function extractEtag(headers: HeaderBag, trailers: HeaderBag, context: string): ConfigEtag {
  const fromHeader = single(headers['etag']);
  const fromTrailer = single(trailers['etag']);
  const etag = fromHeader ?? fromTrailer;
  if (etag === undefined) {
    throw new OperationFailedError(
      `Caddy sent no ETag for ${context}: this Caddy is older than 2.5.2, and cutover needs Caddy 2.6 or newer`,
      { hint: 'Upgrade Caddy to 2.6 or newer; cutover relies on ETag/If-Match so that it never overwrites a concurrent change.' },
    );
  }
  const match = ETAG_SHAPE.exec(etag);
  if (match === null) {
    throw new OperationFailedError(`Caddy sent an ETag of an unknown shape for ${context}: ${etag}`, {
      hint: 'Expected "<path> <hex hash>". Is something between cutover and Caddy rewriting headers?',
    });
  }
  return { etag, source: fromHeader !== undefined ? 'header' : 'trailer', path: match[1] ?? '', hash: match[2] ?? '' };
}
