/** A volume entry in Compose's long form, before bind sources are made absolute. */
export interface VolumeEntry {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Named volume key, host path as written (maybe relative or `~`), or undefined. */
  source: string | undefined;
  target: string;
  readOnly: boolean;
}

export type ParsedVolume = { ok: true; entry: VolumeEntry } | { ok: false; message: string };

// Options that only tune consistency on Docker Desktop for Mac; no effect on Linux.
const HARMLESS_MODES = new Set(['rw', 'ro', 'consistent', 'cached', 'delegated']);

/**
 * Compose's short volume syntax: `/data` (anonymous), `name:/data`,
 * `./rel:/data`, `/abs:/data:ro`. A source that starts with `/`, `.` or `~` is a
 * bind mount, anything else a named volume. Modes other than ro/rw (SELinux
 * relabel `z`/`Z`, `nocopy`, propagation) are refused: cutover would create the
 * container without them.
 */
export function parseVolume(text: string): ParsedVolume {
  const parts = text.split(':');
  const fail = (why: string): ParsedVolume => ({ ok: false, message: `"${text}" is not a volume: ${why}` });
  if (parts.length > 3) return fail('expected [source:]target[:mode], e.g. "data:/var/lib/data:ro"');
  const [first = '', second, mode] = parts;
  const source = second === undefined ? undefined : first;
  const target = second === undefined ? first : second;
  if (!target.startsWith('/')) return fail(`the container path "${target}" must be absolute`);
  if (source === '') return fail('the source is empty');
  let readOnly = false;
  for (const option of mode === undefined ? [] : mode.split(',')) {
    if (!HARMLESS_MODES.has(option)) return fail(`option "${option}" is not supported by cutover (use ro or rw)`);
    if (option === 'ro') readOnly = true;
  }
  const isPath = source !== undefined && /^[/.~]/.test(source);
  return { ok: true, entry: { type: isPath ? 'bind' : 'volume', source, target, readOnly } };
}
