// A node --test reporter that writes how long each test file took, slowest first: what to
// look at when the suite gets slow. A file's time runs from when the runner takes it off the
// queue (test:dequeue of the file itself, nesting 0) to its last event. A child process's
// events can arrive in bursts, so a file whose start was not seen falls back to its first event.
import path from 'node:path';

export default async function* fileTimes(source) {
  const spans = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (typeof file !== 'string' || event.type === 'test:enqueue') continue;
    const now = Date.now();
    const span = spans.get(file) ?? { first: now, last: now, failed: 0 };
    if (event.type === 'test:dequeue' && event.data.nesting === 0 && span.dequeued === undefined) span.dequeued = now;
    span.last = now;
    if (event.type === 'test:fail') span.failed += 1;
    spans.set(file, span);
  }
  const rows = [...spans].map(([file, s]) => ({ file: path.relative(process.cwd(), file), seconds: (s.last - (s.dequeued ?? s.first)) / 1000, failed: s.failed }));
  rows.sort((a, b) => b.seconds - a.seconds);
  for (const row of rows) yield `${row.seconds.toFixed(1).padStart(7)} s  ${row.file}${row.failed > 0 ? `  (${row.failed} failed)` : ''}\n`;
}
