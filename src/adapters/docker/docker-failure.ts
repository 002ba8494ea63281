import { DockerOperationError, DockerUnavailableError, type CutoverError } from '../../errors.js';

/**
 * Turning what dockerode throws into cutover's typed errors. dockerode rejects
 * with a plain Error that carries `statusCode` and `json` when the engine
 * answered, and with a Node system error (`code`) when it could not be reached.
 */

interface DockerodeError {
  statusCode?: number;
  json?: { message?: unknown } | null;
  code?: string;
  message?: string;
}

/** Errors of the connection itself, not of the operation: the engine is down, restarting or unreachable. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
/** Of those, the ones worth one more try: the engine may just be busy or restarting. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

function asDockerodeError(err: unknown): DockerodeError {
  return typeof err === 'object' && err !== null ? (err as DockerodeError) : {};
}

/** The HTTP status Docker answered with, or undefined when there was no answer. */
export function dockerStatusCode(err: unknown): number | undefined {
  const status = asDockerodeError(err).statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isConnectionError(err: unknown): boolean {
  const code = asDockerodeError(err).code;
  return dockerStatusCode(err) === undefined && typeof code === 'string' && CONNECTION_CODES.has(code);
}

export function isTransientConnectionError(err: unknown): boolean {
  const code = asDockerodeError(err).code;
  return dockerStatusCode(err) === undefined && typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/** Docker's own message ("Conflict. The container name ... is already in use ..."), without dockerode's prefix. */
export function dockerMessage(err: unknown): string {
  const e = asDockerodeError(err);
  if (typeof e.json?.message === 'string') return e.json.message.trim();
  const message = e.message ?? String(err);
  // dockerode formats "(HTTP code 409) unexpected - <docker's message> "
  const match = /^\(HTTP code \d+\) [^-]*- (.*)$/s.exec(message);
  return (match?.[1] ?? message).trim();
}

function hintFor(status: number | undefined, message: string): string | undefined {
  if (status === 409 && message.includes('already in use')) {
    return 'A container with that name is left over from an earlier run: remove it (`cutover cleanup`, or `docker rm -f <name>`) and try again.';
  }
  if (status === 404 && /no such image/i.test(message)) return 'Pull the image first, or check the image name and tag.';
  if (/port is already allocated|address already in use/i.test(message)) {
    return 'Another process or container holds that host port; a fixed host port cannot be used by blue and green at once.';
  }
  if (status === 404 && /network .* not found/i.test(message)) return 'Create the network first (`docker network create <name>`), or check the compose file.';
  return undefined;
}

/**
 * Wraps a failure of `doing` (e.g. "creating container tale-platform-green").
 * `endpoint` names the engine for the hint when it could not be reached.
 */
export function toDockerError(err: unknown, doing: string, endpoint: string): CutoverError {
  if (err instanceof DockerOperationError || err instanceof DockerUnavailableError) return err;
  if (isConnectionError(err)) {
    const code = asDockerodeError(err).code;
    const hint =
      code === 'EACCES' || code === 'EPERM'
        ? `No permission to use ${endpoint}: run as root or add your user to the docker group.`
        : `Start the Docker engine (e.g. \`systemctl start docker\` or \`dockerd &\`), or check DOCKER_HOST (now: ${endpoint}).`;
    return new DockerUnavailableError(`Docker engine at ${endpoint} is unreachable while ${doing}: ${code}`, { cause: err, hint });
  }
  const message = dockerMessage(err);
  return new DockerOperationError(`${doing}: ${message}`, { cause: err, hint: hintFor(dockerStatusCode(err), message) });
}
