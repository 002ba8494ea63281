// A node --test reporter that writes how long each test file took, wall clock from its
// first event to its last, slowest first: what to look at when the suite gets slow,
// and the order scripts/test.sh starts the files in (longest first keeps the tail short).
import path from 'node:path';

export default async function* fileTimes(source) {
  const spans = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    // Queue events come when a file waits for a free slot, not when it runs.
    if (typeof file !== 'string' || event.type === 'test:enqueue' || event.type === 'test:dequeue') continue;
    const now = Date.now();
    const span = spans.get(file) ?? { first: now, last: now, failed: 0 };
    span.last = now;
    if (event.type === 'test:fail') span.failed += 1;
    spans.set(file, span);
  }
  const rows = [...spans].map(([file, s]) => ({ file: path.relative(process.cwd(), file), seconds: (s.last - s.first) / 1000, failed: s.failed }));
  rows.sort((a, b) => b.seconds - a.seconds);
  for (const row of rows) yield `${row.seconds.toFixed(1).padStart(7)} s  ${row.file}${row.failed > 0 ? `  (${row.failed} failed)` : ''}\n`;
}
