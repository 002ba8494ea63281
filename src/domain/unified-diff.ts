/**
 * A unified diff of two texts (`diff -u` style, 3 lines of context), to show a
 * change before or after it is written. Line-based LCS: fine for config files
 * of a few thousand lines.
 */
export function unifiedDiff(before: string, after: string, names: { from: string; to: string }, context = 3): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const table = new Array<number>((a.length + 1) * width).fill(0);
  const lcs = (i: number, j: number): number => table[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      table[i * width + j] = a[i] === b[j] ? lcs(i + 1, j + 1) + 1 : Math.max(lcs(i + 1, j), lcs(i, j + 1));
    }
  }
  type Line = { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number };
  const lines: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: ' ', text: a[i] ?? '', ai: i, bi: j });
      i += 1;
      j += 1;
    } else if (i < a.length && (j === b.length || lcs(i + 1, j) >= lcs(i, j + 1))) {
      // Removals before additions, as diff -u prints them.
      lines.push({ kind: '-', text: a[i] ?? '', ai: i, bi: j });
      i += 1;
    } else {
      lines.push({ kind: '+', text: b[j] ?? '', ai: i, bi: j });
      j += 1;
    }
  }
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  const kindAt = (index: number): Line['kind'] => lines[index]?.kind ?? ' ';
  let k = 0;
  while (k < lines.length) {
    if (kindAt(k) === ' ') {
      k += 1;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change close to it.
    const start = Math.max(0, k - context);
    let end = k;
    let lastChange = k;
    while (end < lines.length && end - lastChange <= 2 * context) {
      if (kindAt(end) !== ' ') lastChange = end;
      end += 1;
    }
    end = Math.min(lines.length, lastChange + context + 1);
    const hunk = lines.slice(start, end);
    const aCount = hunk.filter((l) => l.kind !== '+').length;
    const bCount = hunk.filter((l) => l.kind !== '-').length;
    const first = hunk[0] ?? { ai: 0, bi: 0 };
    const aStart = first.ai + (aCount === 0 ? 0 : 1);
    const bStart = first.bi + (bCount === 0 ? 0 : 1);
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`, ...hunk.map((l) => `${l.kind}${l.text}`));
    k = end;
  }
  return `${out.join('\n')}\n`;
}
