import { createInterface } from 'node:readline/promises';
import { formatDuration } from '../domain/format-duration.js';
import { UsageError } from '../errors.js';
import { reset, type ResetPreview } from '../run/reset.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';
import { withInterrupt } from './with-interrupt.js';

/** Exactly what reset does, in its order: the confirmation and --dry-run print this. */
export function describeReset(preview: ResetPreview): string {
  const { plan } = preview;
  const names = (list: ReadonlyArray<{ name: string }>): string => list.map((c) => c.name).join(', ') || 'none';
  const lines: string[] = [];
  if (plan.kind === 'already-plain') {
    lines.push('reset: Caddy already sends every service to its plain service (plain Compose mode):');
    lines.push(plan.remove.length === 0 ? '  nothing to do' : `  1. remove ${plan.remove.length} blue/green container(s) left: ${names(plan.remove)}`);
  } else {
    lines.push(`reset returns to plain Compose mode without an outage (traffic is on ${plan.fromColor}, ${plan.version}):`);
    if (plan.replacePlain.length > 0) lines.push(`  0. remove ${names(plan.replacePlain)} (plain containers of an earlier reset, serving nothing)`);
    lines.push(`  1. start ${plan.start.map((s) => s.service).join(', ')} as compose.yml alone defines them (no color overlay), running ${plan.version}`);
    lines.push(`  2. wait until they are healthy (at most HEALTH_CHECK_TIMEOUT, ${formatDuration(preview.healthCheckTimeoutMs)}); on failure or Ctrl-C they are removed and nothing else changes`);
    lines.push(`  3. switch Caddy in one change: ${plan.start.map((s) => `${s.service} -> ${s.dials.join(' ')}`).join(', ')}`);
    lines.push(`  4. drain ${plan.fromColor} (at most DRAIN_TIMEOUT, ${formatDuration(preview.drainTimeoutMs)})`);
    lines.push(`  5. remove ${plan.remove.length} blue/green container(s), each with its stop_grace_period: ${names(plan.remove)}`);
  }
  lines.push(`  then ${preview.stateFile} keeps its history and records no active color: cutover status says plain Compose mode, and cutover deploy starts from there`);
  return `${lines.join('\n')}\n`;
}

async function ask(preview: ResetPreview): Promise<boolean> {
  process.stdout.write(describeReset(preview));
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question('Go ahead? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/** `cutover reset` */
export async function runReset(options: GlobalOptions, flags: { yes?: boolean; dryRun?: boolean }): Promise<number> {
  if (flags.yes !== true && flags.dryRun !== true && !process.stdin.isTTY) {
    throw new UsageError('reset removes every blue and green container and needs confirmation, but there is no terminal to ask', {
      hint: 'run it in a terminal, or pass --yes (see what it would do with --dry-run)',
    });
  }
  const context = resolveContext(options);
  const runtime = createRuntime(context);
  try {
    const result = await withInterrupt(
      context.logger,
      (signal) => reset(runtime, { dryRun: flags.dryRun === true, confirm: flags.yes === true ? async () => true : ask, signal }),
      { stateDir: runtime.stateDir },
    );
    if (flags.dryRun === true) process.stdout.write(describeReset(result.preview));
    else if (!result.done) process.stdout.write('reset cancelled; nothing changed\n');
    else process.stdout.write(`plain Compose mode; removed ${result.removed.length} blue/green container(s)\n`);
    return result.done || flags.dryRun === true ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
