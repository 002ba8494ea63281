#!/usr/bin/env node
/**
 * The commander program. This is the only place that exits the process: every
 * command returns an exit code or throws; typed errors become a one-line
 * message, a hint and their exit code here.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help, Option } from 'commander';
import { BUG_EXIT_CODE, ConfigInvalidError, CutoverError, formatConfigProblem } from './errors.js';
import type { GlobalOptions } from './commands/command-context.js';
import { ignoreClosedOutput } from './ignore-closed-output.js';
import { DEFAULT_STEP_INTERVAL } from './commands/canary-flags.js';
import type { DeployFlags } from './commands/deploy.js';
import type { RollbackFlags } from './commands/rollback.js';
import type { InitFlags } from './commands/init.js';
import type { LogsFlags } from './commands/logs.js';

/**
 * `-V, --version` is answered by main() before commander parses, and only when
 * it comes before the command name: commander's own .version() would also take
 * `cutover config --version v1` (commander matches the program's options after a
 * command name too). This option object only shows the flag in the help.
 */
const VERSION_OPTION = new Option('-V, --version', 'print the version of cutover');

/** The version of the installed package: package.json sits one level above both src/cli.ts and dist/cli.js. */
function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null ? (manifest as { version?: unknown }).version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}

/** The program with its global options; the commands are added by the functions below. */
function buildProgram(): Command {
  const program = new Command('cutover')
    .description('Zero-downtime blue-green and canary deploys of Docker Compose services behind Caddy')
    .option('-C, --project-dir <dir>', 'directory with compose.yml and the color overlays (default: the current directory)')
    .option(
      '--caddy-admin <address>',
      "Caddy's admin API: http://127.0.0.1:2019, https://host:port or unix//path/to/socket; repeat it for several Caddy instances switched as one (default: $CADDY_ADMIN, a comma-separated list, else CADDY_ADMIN in the project's .env, else http://127.0.0.1:2019)",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--allow-remote-admin', "accept a plain-http:// Caddy admin address that is not loopback (the admin API has no authentication)")
    .option('--engine <engine>', 'what runs the colors: compose (containers) or swarm (Swarm services; deploy with --canary and --stop-old, promote, abort, rollback, status, cleanup and reconcile so far, docs/swarm.md) (default: $CUTOVER_ENGINE, else what the state file records, else swarm when detected: a Swarm manager and the project\'s networks with scope swarm, else compose)')
    .addOption(new Option('--log-format <format>', 'human lines, or one JSON object per event').choices(['human', 'json']).default('human'))
    .showHelpAfterError('hint: run cutover help for usage')
    .exitOverride();
  // Before any command does anything: a bad engine, the other engine than the project's state file records,
  // or a command (or deploy flag) not built on Swarm yet, is refused here.
  program.hook('preAction', async (_program, action) => {
    const { assertSwarmCommand } = await import('./commands/resolve-engine.js');
    const { engine } = await (await import('./commands/choose-engine.js')).chooseEngine(action.name(), globals(action));
    // Chosen without --engine (the state file, or detected): the commands dispatch on --engine, so it is set here.
    if (engine === 'swarm') program.setOptionValue('engine', engine);
    await (await import('./commands/assert-project-engine.js')).assertProjectEngine(action.name(), engine, globals(action));
    if (engine === 'swarm') assertSwarmCommand(action.name(), action.opts());
  });
  program.configureHelp({
    visibleOptions(this: Help, command: Command): Option[] {
      const shown = Help.prototype.visibleOptions.call(this, command);
      return command === program ? [VERSION_OPTION, ...shown] : shown;
    },
  });

  // In the order `cutover help` lists them.
  addDeployCommand(program);
  addStatusCommand(program);
  addCanaryControlCommands(program);
  addRecoveryCommands(program);
  addConfigAndHelpCommands(program);
  return program;
}

/** The global options (-C, --caddy-admin, ...) merged with the command's own. */
const globals = (command: Command): GlobalOptions => command.optsWithGlobals() as GlobalOptions;

/** `status` (also --json). */
function addStatusCommand(program: Command): void {
  program
    .command('status')
    .description('active color and version, standby, containers and health, Caddy upstreams and in-flight counts, drift between Caddy and the state file')
    .option('--json', 'print one JSON object (documented in docs/status-json.md)')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { runStatus } = await import('./commands/status.js');
      process.exitCode = await runStatus(globals(command), options);
    });
}

/** `deploy <version>`, with the canary flags. */
function addDeployCommand(program: Command): void {
  program
    .command('deploy <version>')
    .description('start <version> in the standby color, wait until healthy, switch every service in one Caddy change, drain the old color')
    .addOption(new Option('--pull <policy>', 'when to pull images (default: always for a moving tag such as latest or main, missing for a version tag or digest)').choices(['always', 'missing', 'never']))
    .option('--force', 'deploy even when every service already runs exactly these images')
    .option('--stop-old', 'stop the old color after the drain instead of keeping it as warm standby')
    .option('--verify-url <url>', 'after the switch, GET this URL through Caddy; a non-2xx answer switches back')
    .option('--fail-fast', "end the health wait at Docker's first \"unhealthy\" instead of waiting up to HEALTH_CHECK_TIMEOUT (also HEALTH_FAIL_FAST=1)")
    .option('--canary <steps>', 'shift traffic in weighted steps first, e.g. 10,25,50 (a step written pause waits for promote)')
    .option('--step-interval <duration>', 'how long each canary step is analysed', DEFAULT_STEP_INTERVAL)
    .option('--pause', 'wait for cutover promote (or abort) after every canary step')
    .option('--max-error-rate <rate>', 'abort when the new color errs more often: 1% or 0.01 (default 1%)')
    .option('--max-latency-p99 <duration>', "abort when the new color's p99 latency exceeds this (default: 2x the old color's + 100ms)")
    .option('--sticky', 'keep each client on the color it first got (a cookie)')
    .option('--keep-failed', 'keep the new color for inspection when the canary is aborted (default: remove it and bring the previous standby back)')
    .addOption(new Option('--remove-failed', 'the default since 0.2; accepted for old scripts').hideHelp())
    .option('--probe-url <url>', "URL served by Caddy that the canary analysis requests for each color (default: Caddy's first listener, /)")
    .option('--probe-host <host>', "Host header of those requests, for sites Caddy matches by name (default: the URL's host)")
    .option('--analysis-cmd <command>', 'canary: also run this command at every analysis look (no shell; write sh -c \'...\' for one); a non-zero exit aborts the canary (docs/canary.md)')
    .option('--analysis-cmd-timeout <duration>', 'canary: a run of --analysis-cmd longer than this is killed and fails the check (default 30s)')
    .option('--no-real-traffic', "judge a canary by its probes alone, not also by the real traffic Caddy logs per color")
    .option('--alpha <p>', 'real traffic: significance level of each test at each look (default 0.001)')
    .option('--min-requests <n>', 'real traffic: requests per color before a window can be judged ok (default 50)')
    .option('--min-errors <n>', 'real traffic: errors of the new color before it can be found worse (default 3)')
    .option('--min-error-rate-increase <rate>', "real traffic: how far the new color's error rate must exceed the old one's: 1% or 0.01 (default 1%)")
    .option('--latency-min-samples <n>', 'real traffic: answered requests per color before p99 latencies are compared (default 100)')
    .option('--latency-factor <x>', "real traffic: the new p99 must exceed x times the old one's to count (default 1.5)")
    .option('--latency-margin <duration>', "real traffic: ... and the old p99 plus this (default 50ms)")
    .option('--bake <duration>', 'after the full switch, watch the new color\'s real traffic this long (old color kept as warm standby) and switch back by itself when it is worse, exit 14 (docs/bake.md)')
    .option('--latency-warmup <duration>', "canary: latency (probes and real traffic) is not judged for this long after the first step; errors are (default 10s)")
    .option('--analysis-window <duration>', 'real traffic: the sliding window each look judges (default 30s)')
    .option('--ignore-route <route>', 'real traffic: leave a route out, e.g. "GET /users/:id" (repeatable, or comma-separated)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--migrate <command>', 'run this command once in a container of the new version before the new color starts (docs/migrations.md)')
    .option('--migrate-service <service>', 'the colored service whose new image, environment, volumes and networks the migration runs with (default: the only one)')
    .option('--dry-run', 'print the plan and change nothing')
    .action(async (version: string, options: DeployFlags, command: Command) => {
      const { runDeploy } = await import('./commands/deploy.js');
      process.exitCode = await runDeploy(globals(command), version, options);
    });
}

/** `promote` and `abort`, for a canary paused at a step (also one whose process died). */
function addCanaryControlCommands(program: Command): void {
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
}

/** `rollback`, `cleanup`, `reset` and `reconcile`. */
function addRecoveryCommands(program: Command): void {
  program
    .command('rollback')
    .description('point traffic back at the other color: at once when it still runs the previous version, else start that version there first')
    .addOption(new Option('--pull <policy>', 'when to pull images if the previous version must be started').choices(['always', 'missing', 'never']).default('missing'))
    .option('--verify-url <url>', 'after the switch, GET this URL through Caddy; a non-2xx answer switches back')
    .option('--fail-fast', "end the health wait at Docker's first \"unhealthy\" instead of waiting up to HEALTH_CHECK_TIMEOUT (also HEALTH_FAIL_FAST=1)")
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
    .description('return to plain Compose mode without an outage: start the plain services (compose.yml alone), switch Caddy to them in one change, drain, remove every blue/green container')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'print what would happen and change nothing')
    .action(async (options: { yes?: boolean; dryRun?: boolean }, command: Command) => {
      const { runReset } = await import('./commands/reset.js');
      process.exitCode = await runReset(globals(command), options);
    });

  program
    .command('reconcile')
    .description('put the recorded state back into Caddy: settle an interrupted operation, then point Caddy at the recorded color (after a Caddy restart or an outside change), in one change')
    .option('--dry-run', 'print what would be done and change nothing')
    .action(async (options: { dryRun?: boolean }, command: Command) => {
      const { runReconcile } = await import('./commands/reconcile.js');
      process.exitCode = await runReconcile(globals(command), options);
    });
}

/** `config` and `help`: they change nothing. */
function addConfigAndHelpCommands(program: Command): void {
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
    .command('init [services...]')
    .description('write compose.blue.yml and compose.green.yml for a Compose project without overlays; show (or apply) the Caddyfile change (docs/init.md)')
    .option('--caddy-on <where>', 'host (Caddy on this machine) or network (a Caddy service on the compose network); default: guessed from compose.yml')
    .option('--caddyfile <path>', 'the Caddyfile to wire (default: caddy/Caddyfile, else Caddyfile)')
    .option('--write-caddyfile', 'apply the Caddyfile change (the old file is kept as <file>.before-cutover-init)')
    .option('--force', 'replace existing overlays that differ (kept as <file>.before-cutover-init)')
    .action(async (services: string[], options: InitFlags, command: Command) => {
      const { runInit } = await import('./commands/init.js');
      process.exitCode = await runInit(globals(command), services, options);
    });

  program
    .command('logs [service]')
    .description("show the logs of the colored containers (both colors, or one) through Docker's API")
    .addOption(new Option('--color <color>', 'only this color').choices(['blue', 'green']))
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --tail <lines>', 'lines from the end of each container', '100')
    .action(async (service: string | undefined, options: LogsFlags, command: Command) => {
      const { runLogs } = await import('./commands/logs.js');
      process.exitCode = await runLogs(globals(command), service, options);
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

/** True when -V or --version comes before any command name (so `config --version v1` is not it). */
function asksForVersion(args: readonly string[], commandNames: ReadonlySet<string>): boolean {
  for (const arg of args) {
    if (arg === '-V' || arg === '--version') return true;
    if (arg === '--' || commandNames.has(arg)) return false;
  }
  return false;
}

async function main(argv: string[]): Promise<void> {
  // Before anything is written: a reader that goes away must not end the operation halfway.
  ignoreClosedOutput(process.stdout);
  ignoreClosedOutput(process.stderr);
  try {
    const program = buildProgram();
    if (asksForVersion(argv.slice(2), new Set(program.commands.map((c) => c.name())))) {
      process.stdout.write(`${packageVersion()}\n`);
      return;
    }
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error);
  }
}

await main(process.argv);
