import { DockerOperationError } from '../../errors.js';
import type { DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';
import { PullProgressTracker, type PullEvent, type PullProgress } from './pull-progress.js';
import { registryHostOf, resolveRegistryAuth, type RegistryAuth } from './registry-auth.js';

export interface PullImageOptions {
  onProgress?: ((progress: PullProgress) => void) | undefined;
  /** Credentials to use; default: the user's docker config (see registry-auth.ts). */
  auth?: RegistryAuth | undefined;
  /** Environment to find the docker config in (DOCKER_CONFIG, HOME); default process.env. */
  env?: NodeJS.ProcessEnv | undefined;
}

function pullHint(ref: string, message: string): string | undefined {
  const host = registryHostOf(ref);
  if (/unauthorized|authentication required|denied/i.test(message)) return `Log in to ${host} (\`docker login ${host}\`), or check that you may read this image.`;
  if (/blob unknown|unknown blob/i.test(message)) return `${host} lists the image but lacks one of its layers; push the image again.`;
  if (/not found|manifest unknown/i.test(message)) return ref.includes('@') ? `Check that the digest exists in ${host} (docker images --digests shows the digests of pushed images).` : `Check that the tag exists in ${host}.`;
  return `Check that ${host} is reachable from the Docker engine.`;
}

/**
 * Pulls an image and follows Docker's progress stream to its end. Docker
 * answers 200 and reports most failures (unknown tag, no access) as an
 * `error` inside the stream, so the stream is read to the end before the pull
 * counts as done.
 */
export async function pullImage(ctx: DockerContext, ref: string, options: PullImageOptions = {}): Promise<PullProgress> {
  const auth = options.auth ?? (await resolveRegistryAuth(ref, options.env));
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await ctx.docker.pull(ref, auth === undefined ? {} : { authconfig: auth })) as NodeJS.ReadableStream;
  } catch (err) {
    const wrapped = toDockerError(err, `pulling ${ref}`, ctx.endpoint);
    if (wrapped instanceof DockerOperationError && wrapped.hint === undefined) {
      throw new DockerOperationError(wrapped.message, { cause: err, hint: pullHint(ref, wrapped.message) });
    }
    throw wrapped;
  }
  const tracker = new PullProgressTracker();
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      reject(err);
    };
    const handle = (line: string): void => {
      if (line.trim() === '') return;
      let event: PullEvent;
      try {
        event = JSON.parse(line) as PullEvent;
      } catch {
        return; // not a progress line; nothing to report
      }
      const error = event.errorDetail?.message ?? event.error;
      if (error !== undefined) {
        fail(new DockerOperationError(`pulling ${ref}: ${error}`, { hint: pullHint(ref, error) }));
        return;
      }
      options.onProgress?.(tracker.update(event));
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        handle(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    let ended = false;
    stream.on('end', () => {
      ended = true;
      handle(buffered);
      if (!failed) resolve();
    });
    stream.on('close', () => {
      if (!ended) fail(new DockerOperationError(`pulling ${ref}: the engine closed the progress stream before the pull finished`));
    });
    stream.on('error', (err: Error) => fail(toDockerError(err, `pulling ${ref}`, ctx.endpoint)));
  });
  return tracker.summary();
}
