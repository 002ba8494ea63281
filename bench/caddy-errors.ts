/**
 * Caddy's own account of the requests it failed: the `http.log.error` lines of
 * its log (JSON when not on a terminal), grouped by message, with the status
 * it answered. This names the cause of a 502 (a refused dial, an upstream
 * connection closed under a request, ...) better than the client can.
 */
export function summarizeCaddyErrors(logs: string): string[] {
  const counts = new Map<string, number>();
  for (const line of logs.split('\n')) {
    if (!line.includes('"http.log.error"')) continue;
    let record: { logger?: string; msg?: string; status?: number };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    if (record.logger !== 'http.log.error') continue;
    // Ports differ per run; keep the message readable and groupable.
    const key = `${record.status ?? '?'} ${String(record.msg ?? '').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${n}× ${key}`);
}
