import type { DockerContext } from './docker-client.js';
import { demuxDockerStream } from './demux-docker-stream.js';
import { toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

/** The last `lines` lines a container wrote to stdout and stderr, interleaved as Docker stored them. */
export async function readLogTail(ctx: DockerContext, containerId: string, lines = 20): Promise<string[]> {
  try {
    const raw = await retryRead(() => ctx.docker.getContainer(containerId).logs({ stdout: true, stderr: true, tail: lines, follow: false }));
    const text = demuxDockerStream(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    const all = text.split('\n').map((line) => line.replace(/\r$/, ''));
    if (all.at(-1) === '') all.pop();
    return all.slice(-lines);
  } catch (err) {
    throw toDockerError(err, `reading the logs of container ${containerId.slice(0, 12)}`, ctx.endpoint);
  }
}
