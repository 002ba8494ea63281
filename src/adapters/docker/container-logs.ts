import type { DockerContext } from './docker-client.js';
import { demuxDockerStream } from './demux-docker-stream.js';
import { toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

export interface ContainerLogsOptions {
  /** Lines from the end to start with. */
  tail: number;
  /** Keep the stream open and pass new lines as they come, until `signal` aborts or the container stops. */
  follow: boolean;
  signal: AbortSignal;
  onLine: (line: string) => void;
}

/**
 * Reads a container's log (stdout and stderr) line by line, optionally
 * following it. Docker frames the two streams of a container without a TTY
 * (8-byte header: stream, zeros, length); when following, frames are taken
 * apart as they arrive and a frame or line cut between chunks is carried over.
 * A TTY container sends raw bytes.
 */
export async function containerLogs(ctx: DockerContext, id: string, options: ContainerLogsOptions): Promise<void> {
  const what = `reading the logs of container ${id.slice(0, 12)}`;
  const container = ctx.docker.getContainer(id);
  if (!options.follow) {
    try {
      const raw = await retryRead(() => container.logs({ stdout: true, stderr: true, tail: options.tail, follow: false }));
      const lines = demuxDockerStream(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).split('\n');
      if (lines.at(-1) === '') lines.pop();
      for (const line of lines) options.onLine(line.replace(/\r$/, ''));
      return;
    } catch (err) {
      throw toDockerError(err, what, ctx.endpoint);
    }
  }
  let stream: NodeJS.ReadableStream & { destroy?: () => void };
  let tty: boolean;
  try {
    tty = (await container.inspect()).Config.Tty;
    stream = (await container.logs({ stdout: true, stderr: true, tail: options.tail, follow: true })) as NodeJS.ReadableStream;
  } catch (err) {
    throw toDockerError(err, what, ctx.endpoint);
  }
  let partial = '';
  const emit = (text: string): void => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLine(line.replace(/\r$/, ''));
  };
  let pending = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    if (tty) {
      emit(chunk.toString('utf8'));
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const length = pending.readUInt32BE(4);
      if (pending.length < 8 + length) break;
      emit(pending.subarray(8, 8 + length).toString('utf8'));
      pending = pending.subarray(8 + length);
    }
  };
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      if (partial !== '') options.onLine(partial);
      resolve();
    };
    const stop = (): void => {
      stream.destroy?.();
      done();
    };
    if (options.signal.aborted) return stop();
    options.signal.addEventListener('abort', stop, { once: true });
    stream.on('data', onData);
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (err: unknown) => {
      if (options.signal.aborted) return done();
      settled = true;
      reject(toDockerError(err, what, ctx.endpoint));
    });
  });
}
