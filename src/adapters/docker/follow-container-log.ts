import { PassThrough } from 'node:stream';
import type { DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';

export interface FollowedLog {
  /** The text written since the previous call (whole or partial lines), and clears it. */
  drain(): string;
  /** Set when the stream ended or failed (the container stopped, Docker went away). */
  ended(): string | undefined;
  stop(): Promise<void>;
}

/**
 * Follows a container's stderr through the Docker API from `sinceSec`
 * (seconds since the epoch), as Docker stores it: a container without a TTY
 * sends frames (an 8-byte header per piece), which dockerode's demuxer strips.
 * The text is kept until `drain` takes it.
 */
export async function followContainerLog(ctx: DockerContext, id: string, sinceSec: number): Promise<FollowedLog> {
  const container = ctx.docker.getContainer(id);
  let tty = false;
  let stream: NodeJS.ReadableStream;
  try {
    tty = (await container.inspect()).Config?.Tty === true;
    stream = (await container.logs({ follow: true, stdout: false, stderr: true, since: Math.floor(sinceSec) })) as unknown as NodeJS.ReadableStream;
  } catch (err) {
    throw toDockerError(err, `following the log of container ${id.slice(0, 12)}`, ctx.endpoint);
  }
  const chunks: Buffer[] = [];
  let end: string | undefined;
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  if (tty) stream.pipe(sink);
  else ctx.docker.modem.demuxStream(stream, new PassThrough(), sink);
  stream.on('end', () => (end ??= 'the log stream ended (the container stopped?)'));
  stream.on('error', (error: Error) => (end ??= `the log stream failed: ${error.message}`));
  return {
    drain(): string {
      const text = Buffer.concat(chunks).toString('utf8');
      chunks.length = 0;
      return text;
    },
    ended: () => end,
    async stop(): Promise<void> {
      const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
      destroyable.destroy?.();
      sink.end();
    },
  };
}
