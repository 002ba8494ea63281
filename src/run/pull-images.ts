import { isMovingTag } from '../domain/pull-policy.js';
import { DockerOperationError } from '../errors.js';
import { formatDuration } from '../domain/format-duration.js';
import type { Runtime } from './runtime.js';

/**
 * Pulls images in order, with progress, before an operation starts: nothing
 * has been touched yet, so a failure (registry down, tag or digest gone) is
 * reported as such and changes nothing.
 */
export async function pullImages(runtime: Runtime, images: readonly string[]): Promise<void> {
  if (images.length === 0) return;
  const { logger } = runtime;
  const started = performance.now();
  logger.info({ event: 'phase.start', phase: 'pulling' }, `pull ${images.length} image(s)...`);
  for (const image of images) {
    let lastLogged = 0;
    try {
      const progress = await runtime.docker.pullImage(image, {
        onProgress: (p) => {
          if (Date.now() - lastLogged < 1000) return;
          lastLogged = Date.now();
          logger.info({ event: 'pull.progress', image, layersDone: p.layersDone, layers: p.layers, bytes: p.bytesDownloaded }, `  ${image}: ${p.layersDone}/${p.layers} layers, ${Math.round(p.bytesDownloaded / 2 ** 20)} MiB`);
        },
      });
      logger.info({ event: 'pull.done', image, layers: progress.layers }, `  pulled ${image}`);
    } catch (error) {
      if (!(error instanceof DockerOperationError)) throw error;
      const moving = isMovingTag(image) ? ` (${image} is a moving tag, pulled on every deploy; --pull missing deploys the copy this host has)` : '';
      throw new DockerOperationError(`${oneLine(error.message)}; nothing was changed`, { hint: `${error.hint ?? 'check the image reference'}${moving}`, cause: error });
    }
  }
  const ms = Math.round(performance.now() - started);
  logger.info({ event: 'phase.done', phase: 'pulling', ms }, `pull: done in ${formatDuration(ms)}`);
}

/** Docker's messages may span lines; the error line must stay one line. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

