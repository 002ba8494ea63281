import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Lines Caddy 2.6.2 really wrote (test/fixtures/caddy-logs/capture.ts), one string per line. */
export function fixtureLines(name: 'roundtrip-2.6.2.log' | 'default-log-2.6.2.log'): string[] {
  const file = fileURLToPath(new URL(`../../fixtures/caddy-logs/${name}`, import.meta.url));
  return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
}

/** The dials of the capture: blue answered, green answered, dead refused every dial. */
export const FIXTURE_DIALS = { blue: '127.0.0.1:34317', green: '127.0.0.1:44407', dead: '127.0.0.1:43315' } as const;
