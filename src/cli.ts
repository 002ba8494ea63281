#!/usr/bin/env node
/**
 * The commander program. This is the only place that exits the process: every
 * command returns an exit code or throws; typed errors become a one-line
 * message, a hint and their exit code here.
 */
import { Command, CommanderError, Option } from 'commander';
import { BUG_EXIT_CODE, ConfigInvalidError, CutoverError, formatConfigProblem } from './errors.js';
import type { GlobalOptions } from './commands/command-context.js';
import { DEFAULT_STEP_INTERVAL } from './commands/canary-flags.js';
import type { DeployFlags } from './commands/deploy.js';
import type { RollbackFlags } from './commands/rollback.js';

function buildProgram(): Command {
  const program = new Command('cutover')
    .description('Zero-downtime blue-green and canary deploys of Docker Compose services behind Caddy')
    .option('-C, --project-dir <dir>', 'directory with compose.yml and the color overlays (default: the current directory)')
    .option(
      '--caddy-admin <address>',
      "Caddy's admin API: http://127.0.0.1:2019, or unix//path/to/socket (default: $CADDY_ADMIN, else CADDY_ADMIN in the project's .env, else http://127.0.0.1:2019)",
    )
    .addOption(new Option('--log-format <format>', 'human lines, or one JSON object per event').choices(['human', 'json']).default('human'))
    .showHelpAfterError('(run cutover help for usage)')
    .exitOverride();

  const globals = (command: Command): GlobalOptions => command.optsWithGlobals() as GlobalOptions;

  program
    .command('deploy <version>')
    .description('start <version> in the idle color, wait until healthy, switch every service in one Caddy change, drain the old color')
    .addOption(new Option('--pull <policy>', 'when to pull images (default: always for a moving tag such as latest or main, missing for a version tag or digest)').choices(['always', 'missing', 'never']))
    .option('--force', 'deploy even when every service already runs exactly these images')
    .option('--stop-old', 'stop the old color after the drain instead of keeping it as warm standby')
    .option('--verify-url <url>', 'after the switch, GET this URL through Caddy; a non-2xx answer switches back')
    .option('--canary <steps>', 'shift traffic in weighted steps first, e.g. 10,25,50 (a step written pause waits for promote)')
    .option('--step-interval <duration>', 'how long each canary step is analysed', DEFAULT_STEP_INTERVAL)
    .option('--pause', 'wait for cutover promote (or abort) after every canary step')
    .option('--max-error-rate <rate>', 'abort when the new color errs more often: 1% or 0.01 (default 1%)')
    .option('--max-latency-p99 <duration>', "abort when the new color's p99 latency exceeds this (default: 2x the old color's + 100ms)")
    .option('--sticky', 'keep each client on the color it first got (a cookie)')
    .option('--remove-failed', 'remove the new color when the canary is aborted (default: keep it for inspection)')
    .option('--probe-url <url>', "URL served by Caddy that the canary analysis requests for each color (default: Caddy's first listener, /)")
    .option('--probe-host <host>', "Host header of those requests, for sites Caddy matches by name (default: the URL's host)")
    .option('--dry-run', 'print the plan and change nothing')
    .action(async (version: string, options: DeployFlags, command: Command) => {
      const { runDeploy } = await import('./commands/deploy.js');
      process.exitCode = await runDeploy(globals(command), version, options);
    });

  program
    .command('status')
    .description('active color and version, standby, containers and health, Caddy upstreams and in-flight counts, drift between Caddy and the state file')
    .option('--json', 'print one JSON object (documented in docs/status-json.md)')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { runStatus } = await import('./commands/status.js');
      process.exitCode = await runStatus(globals(command), options);
    });

  for (const action of ['promote', 'abort'] as const) {
    program
      .command(action)
      .description(
        action === 'promote'
          ? 'let a canary paused at a step go on; finishes it (everything to the new color) when its process is gone'
          : 'send all traffic back to the old color and end the canary; finishes it when its process is gone',
      )
      .option('--timeout <duration>', 'how long to wait for the running canary to act', '120s')
      .action(async (options: { timeout: string }, command: Command) => {
        const { runCanaryControl } = await import('./commands/canary-control.js');
        process.exitCode = await runCanaryControl(globals(command), action, options);
      });
  }

  program
    .command('rollback')
    .description('point traffic back at the other color: at once when it still runs the previous version, else start that version there first')
    .addOption(new Option('--pull <policy>', 'when to pull images if the previous version must be started').choices(['always', 'missing', 'never']).default('missing'))
    .option('--verify-url <url>', 'after the switch, GET this URL through Caddy; a non-2xx answer switches back')
    .option('--dry-run', 'print the plan and change nothing')
    .action(async (options: RollbackFlags, command: Command) => {
      const { runRollback } = await import('./commands/rollback.js');
      process.exitCode = await runRollback(globals(command), options);
    });

  program
    .command('cleanup')
    .description("remove the containers of the color Caddy does not send traffic to (never the active color)")
    .option('--dry-run', 'print what would be removed and change nothing')
    .action(async (options: { dryRun?: boolean }, command: Command) => {
      const { runCleanup } = await import('./commands/cleanup.js');
      process.exitCode = await runCleanup(globals(command), options);
    });

  program
    .command('reset')
    .description('return to plain Compose mode: Caddy back to the plain service names, every blue/green container and the state removed')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'print what would happen and change nothing')
    .action(async (options: { yes?: boolean; dryRun?: boolean }, command: Command) => {
      const { runReset } = await import('./commands/reset.js');
      process.exitCode = await runReset(globals(command), options);
    });

  program
    .command('config')
    .description('load compose.yml, the color overlays and the settings; print the resolved model or every problem')
    .option('--json', 'print the model as JSON')
    .option('--version <version>', 'the value of ${VERSION} to resolve image names with')
    .action(async (options: { json?: boolean; version?: string }, command: Command) => {
      const { runConfig } = await import('./commands/config.js');
      process.exitCode = await runConfig(globals(command), options);
    });

  program
    .command('help [command]')
    .description('show usage of cutover or of one command')
    .action((name: string | undefined) => {
      const target = name === undefined ? program : program.commands.find((c) => c.name() === name);
      if (target === undefined) {
        process.stderr.write(`error: unknown command "${name}"; run cutover help for the list\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(target.helpInformation());
    });

  return program;
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (unknown option, missing argument, --help).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CutoverError) {
    if (error instanceof ConfigInvalidError && error.problems.length > 1) {
      process.stderr.write(`error: ${error.problems.length} problems in the configuration:\n`);
      for (const problem of error.problems) process.stderr.write(`  ${formatConfigProblem(problem)}\n`);
    } else {
      process.stderr.write(`error: ${error.message}\n`);
    }
    if (error.hint !== undefined) process.stderr.write(`hint: ${error.hint}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`error: unexpected failure, this is a bug in cutover:\n${detail}\n`);
  process.stderr.write('hint: please report it with the command you ran and this output\n');
  return BUG_EXIT_CODE;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error);
  }
}

await main(process.argv);
