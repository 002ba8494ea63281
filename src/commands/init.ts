import path from 'node:path';
import { COLORS } from '../config/model.js';
import type { CaddyPlacement } from '../domain/plan-init.js';
import { UsageError } from '../errors.js';
import { initProject, type InitResult } from '../run/init-project.js';
import { resolveContext, type GlobalOptions } from './command-context.js';

export interface InitFlags {
  caddyOn?: string;
  caddyfile?: string;
  writeCaddyfile?: boolean;
  force?: boolean;
}

function render(result: InitResult, dir: string): string {
  const rel = (file: string): string => path.relative(dir, file) || file;
  const lines: string[] = [];
  for (const color of COLORS) {
    const o = result.overlays[color];
    lines.push(`${rel(o.file)}: ${o.outcome === 'unchanged' ? 'unchanged (already what init writes)' : o.outcome}${o.backup === undefined ? '' : ` (the old one kept as ${rel(o.backup)})`}`);
  }
  lines.push(`colored: ${result.plan.services.map((s) => s.name).join(', ')}; Caddy ${result.plan.caddyOn === 'host' ? 'on the host' : 'on the compose network'}`);
  lines.push('assumed:', ...result.plan.assumptions.map((a) => `  - ${a}`));
  const caddy = result.caddyfile;
  if (caddy.file === undefined) {
    lines.push(`Caddyfile: none found (looked for ${caddy.looked.map(rel).join(', ')}); name it with --caddyfile to wire it to cutover's snippets (docs/caddy-restarts.md)`);
  } else if (caddy.diff === '') {
    lines.push(`${rel(caddy.file)}: no change (${caddy.wiring.left[0] ?? 'no reverse_proxy reaches a colored service'})`);
  } else {
    lines.push(`${rel(caddy.file)}: ${caddy.applied ? 'wired' : 'the change it needs to survive a Caddy restart'} (${caddy.wiring.rewritten.length} line${caddy.wiring.rewritten.length === 1 ? '' : 's'}):`, caddy.diff.trimEnd());
    for (const left of caddy.wiring.left) lines.push(`  not wired: ${left}`);
    if (caddy.applied) {
      lines.push(`${rel(caddy.file)}: written${caddy.backup === undefined ? '' : `, the old one kept as ${rel(caddy.backup)}`}${caddy.snippetsWritten === undefined ? '' : `; ${rel(caddy.snippetsWritten)} written with its upstreams as they were`}`);
      lines.push('reload Caddy once to load it (caddy reload, or restart its container); cutover keeps the snippets current from now on');
    } else {
      lines.push('not applied: run cutover init --write-caddyfile to write it (backup kept); deploys work without it, but a Caddy restart would go back to the upstreams the file names');
    }
  }
  lines.push('next: cutover config (what cutover understood), then cutover deploy <version>');
  return `${lines.join('\n')}\n`;
}

/** `cutover init [services...]` */
export async function runInit(options: GlobalOptions, services: string[], flags: InitFlags): Promise<number> {
  const context = resolveContext(options);
  if (flags.caddyOn !== undefined && flags.caddyOn !== 'host' && flags.caddyOn !== 'network') {
    throw new UsageError(`--caddy-on ${flags.caddyOn}: expected host or network`, { hint: 'host: Caddy runs on this machine; network: Caddy is a service on the compose network' });
  }
  const result = await initProject({
    projectDir: context.projectDir,
    env: context.env,
    services,
    caddyOn: flags.caddyOn as CaddyPlacement | undefined,
    caddyfile: flags.caddyfile,
    writeCaddyfile: flags.writeCaddyfile === true,
    force: flags.force === true,
  });
  process.stdout.write(render(result, context.projectDir));
  return 0;
}
