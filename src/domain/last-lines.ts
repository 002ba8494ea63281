/**
 * The last `count` non-empty lines of a program's output, each cut to
 * `maxChars` characters: what goes to the log, never a flood.
 */
export function lastLines(text: string, count: number, maxChars = 300): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .slice(-count)
    .map((line) => (line.length > maxChars ? `${line.slice(0, maxChars)}…` : line));
}
