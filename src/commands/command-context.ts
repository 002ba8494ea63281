import { readFileSync, statSync } from 'node:fs';
import { parseDotenv } from '../config/parse-dotenv.js';
import path from 'node:path';
import { checkAdminExposure, parseAdminAddress, type AdminAddress } from '../adapters/caddy/parse-admin-address.js';
import { parseAdminAddresses, splitAdminList } from '../adapters/caddy/parse-admin-addresses.js';
import { UsageError } from '../errors.js';
import { createLogger, type LogFormat, type Logger } from '../log.js';

/** The options every command accepts, as commander hands them over. */
export interface GlobalOptions {
  projectDir?: string;
  /** `--caddy-admin`, once or several times (commander collects them). */
  caddyAdmin?: string | string[];
  /** Accept a plain-HTTP admin address that is not loopback (with a warning). */
  allowRemoteAdmin?: boolean;
  logFormat: LogFormat;
  /** `--engine compose|swarm` (resolve-engine.ts); undefined: CUTOVER_ENGINE, else compose. */
  engine?: string;
}

/** What a command needs from its surroundings, resolved and checked once. */
export interface CommandContext {
  projectDir: string;
  /** Admin address as given: flag, else CADDY_ADMIN, else Caddy's default (several: joined by commas). */
  caddyAdmin: string;
  /** Every Caddy instance to switch as one, in the order given; one item for a single Caddy. */
  caddyAdmins: string[];
  env: Record<string, string | undefined>;
  logger: Logger;
}

export const DEFAULT_CADDY_ADMIN = 'http://127.0.0.1:2019';

export function resolveContext(options: GlobalOptions, env: Record<string, string | undefined> = process.env): CommandContext {
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  let isDirectory = false;
  try {
    isDirectory = statSync(projectDir).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new UsageError(`project directory ${projectDir} does not exist`, {
      hint: 'pass the directory that holds compose.yml with -C <dir>, or run cutover from it',
    });
  }
  const fromEnv = env.CADDY_ADMIN === undefined || env.CADDY_ADMIN === '' ? undefined : splitAdminList(env.CADDY_ADMIN);
  const fromFlag = options.caddyAdmin === undefined ? undefined : typeof options.caddyAdmin === 'string' ? [options.caddyAdmin] : options.caddyAdmin;
  const caddyAdmins = fromFlag ?? fromEnv ?? caddyAdminFromDotenv(projectDir, env) ?? [DEFAULT_CADDY_ADMIN];
  const caddyAdmin = caddyAdmins.join(',');
  // A list that names an instance twice or has an empty item is refused here, before anything happens.
  if (caddyAdmins.length > 1) parseAdminAddresses(caddyAdmins);
  // Refused here, before any command talks to Caddy or Docker. A malformed address is left to the
  // Caddy client, which reports it the same way, so commands that never reach Caddy are not blocked by it.
  const logger = createLogger(options.logFormat);
  for (const text of caddyAdmins) {
    let address: AdminAddress | undefined;
    try {
      address = parseAdminAddress(text);
    } catch {
      address = undefined;
    }
    const warning = address === undefined ? undefined : checkAdminExposure(address, options.allowRemoteAdmin === true);
    if (warning !== undefined) logger.warn({ event: 'caddy.admin.remote', caddyAdmin: text }, warning);
  }
  return { projectDir, caddyAdmin, caddyAdmins, env, logger };
}

/** CADDY_ADMIN from the project's .env, so a project can say once where its Caddy listens. */
function caddyAdminFromDotenv(projectDir: string, env: Record<string, string | undefined>): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(projectDir, '.env'), 'utf8');
  } catch {
    return undefined;
  }
  // A malformed .env is reported by the config loader with its line; here it only has no CADDY_ADMIN.
  const value = parseDotenv(text, (name) => env[name]).values.CADDY_ADMIN;
  return value === undefined || value === '' ? undefined : splitAdminList(value);
}
