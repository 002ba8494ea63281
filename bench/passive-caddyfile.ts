/**
 * The baseline's Caddyfile, loaded once: each service lists BOTH colors, with
 * the proxy options of the first blue-green Caddyfile of the document's stack
 * (test/fixtures/seed-configs/bluegreen-v1-9a57a4a74/Caddyfile), except
 * `health_uri` (the test app's /health) and `health_interval` (1s instead of
 * the seed's 3s, so the baseline is not slowed by its probe period).
 *
 * - `first`: the seed as written: `lb_policy first`, blue listed first.
 * - `alias`: stands for the document's final Caddyfile, `reverse_proxy
 *   platform:3000`, where `platform` is a Docker network alias that both
 *   colors carry, so Docker's DNS hands out either color while both run. A
 *   Caddy on the host cannot use Docker's DNS; `lb_policy random` over both
 *   colors is the nearest equivalent: any new request may reach either color
 *   while both are up.
 */
export type PassivePolicy = 'first' | 'alias';

export const HEALTH_INTERVAL = '1s';
/** Passive health: this many failed requests within `fail_duration` (10s) make Caddy skip an upstream. */
export const MAX_FAILS = 3;

export function renderPassiveCaddyfile(ports: Record<'blue' | 'green', Record<string, number>>, services: readonly string[], policy: PassivePolicy): string {
  const proxy = (service: string): string =>
    [
      '\t\treverse_proxy {',
      `\t\t\tto 127.0.0.1:${ports.blue[service]} 127.0.0.1:${ports.green[service]}`,
      `\t\t\tlb_policy ${policy === 'first' ? 'first' : 'random'}`,
      '\t\t\thealth_uri /health',
      `\t\t\thealth_interval ${HEALTH_INTERVAL}`,
      '\t\t\thealth_timeout 2s',
      '\t\t\thealth_status 200',
      '\t\t\tfail_duration 10s',
      `\t\t\tmax_fails ${MAX_FAILS}`,
      '\t\t\tunhealthy_status 500 502 503 504',
      '\t\t\tlb_try_duration 5s',
      '\t\t\tlb_try_interval 250ms',
      '\t\t}',
    ].join('\n');
  const [first, ...rest] = services;
  if (first === undefined) throw new Error('no services to proxy');
  // The same routes as the cutover project's Caddyfile: /<service>/* for the others, everything else to the first.
  return [
    ':{{HTTP_PORT}} {',
    ...rest.map((service) => `\thandle_path /${service}/* {\n${proxy(service)}\n\t}`),
    `\thandle {\n${proxy(first)}\n\t}`,
    '}',
    '',
  ].join('\n');
}
