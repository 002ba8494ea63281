import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors.js';
import { reset, type ResetPlan } from '../run/reset.js';
import { createRuntime } from '../run/runtime.js';
import { resolveContext, type GlobalOptions } from './command-context.js';

function describe(plan: ResetPlan): string {
  const lines = ['reset returns to plain Compose mode:'];
  if (plan.plain.length > 0) lines.push(`  Caddy: ${plan.plain.join(', ')} go back to their plain Compose names, in one change`);
  if (plan.unreachable.length > 0) lines.push(`  Caddy: ${plan.unreachable.join(', ')} stay as they are (reached by a host port; point them yourself)`);
  lines.push(`  remove ${plan.remove.length} blue/green container(s): ${plan.remove.map((c) => c.name).join(', ') || 'none'}`);
  lines.push(`  delete ${plan.stateFile}`);
  lines.push('  traffic is served again once you run the services with docker compose up -d');
  return `${lines.join('\n')}\n`;
}

async function ask(plan: ResetPlan): Promise<boolean> {
  process.stdout.write(describe(plan));
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
    const result = await reset(runtime, { dryRun: flags.dryRun === true, confirm: flags.yes === true ? async () => true : ask });
    if (flags.dryRun === true) process.stdout.write(describe(result.plan));
    else if (!result.done) process.stdout.write('reset cancelled; nothing changed\n');
    return result.done || flags.dryRun === true ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
