import type Docker from 'dockerode';
import { demuxDockerStream } from '../../src/adapters/docker/demux-docker-stream.js';

/**
 * Runs a one-off command in a new container of `image` (e.g. `wget` from a
 * second container on a test network), waits for it to exit, and returns its
 * exit code and output. The container carries `labels` and is always removed.
 */
export async function runInContainer(
  docker: Docker,
  options: { image: string; cmd: string[]; name: string; labels: Record<string, string>; network?: string; binds?: string[] },
): Promise<{ exitCode: number; output: string }> {
  const container = await docker.createContainer({
    name: options.name,
    Image: options.image,
    Cmd: options.cmd,
    Labels: options.labels,
    HostConfig: { ...(options.network === undefined ? {} : { NetworkMode: options.network }), ...(options.binds === undefined ? {} : { Binds: options.binds }) },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as Buffer;
    return { exitCode: StatusCode, output: demuxDockerStream(raw) };
  } finally {
    await container.remove({ force: true });
  }
}
