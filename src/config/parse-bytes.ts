/**
 * Memory sizes as Compose and Docker read them (`512m`, `8G`, `1.5gb`,
 * `1024kb`, or a plain number of bytes). Units are binary (k = 1024), as in
 * Docker's RAMInBytes. Returns undefined when the text is not a size.
 */
const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i;
const MULTIPLIER: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export function parseBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE.exec(value.trim());
  if (match === null) return undefined;
  const multiplier = MULTIPLIER[(match[2] ?? '').toLowerCase()] ?? 1;
  return Math.trunc(Number(match[1]) * multiplier);
}
