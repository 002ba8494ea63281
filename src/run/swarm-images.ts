import type { SwarmServices } from '../adapters/swarm/swarm-services.js';
import type { Color, ProjectConfig } from '../config/model.js';
import { describeIdentity, type ServiceImages } from '../domain/image-identity.js';
import { pinImages } from '../domain/pin-images.js';
import { pinSwarmImages, planSwarmPull } from '../domain/plan-swarm-images.js';
import type { PullPolicy } from '../domain/pull-policy.js';
import { ConfigInvalidError } from '../errors.js';
import { resolveServiceImages } from './image-identities.js';
import { pullImages } from './pull-images.js';
import type { Runtime } from './runtime.js';

/**
 * The images of `color`'s colored services made exact before a Swarm deploy
 * creates anything, as a Compose deploy does: pulled by the same policy (a
 * moving tag always, so `deploy latest` never runs a stale local copy),
 * resolved to their identities (registry digest, else image ID), and the
 * project returned with each service's image pinned to that identity, so
 * every task (also one Swarm starts later, on any node) runs exactly that
 * build. An image without a digest is pinned by its ID on a single node (one
 * warning each) and refused on several. A refusal changes nothing.
 */
export async function pinSwarmColorImages(runtime: Runtime, swarm: SwarmServices, input: { project: ProjectConfig; color: Color; version: string; pull: PullPolicy | undefined }): Promise<{ project: ProjectConfig; images: ServiceImages }> {
  const { project, color } = input;
  const imagesPresent = new Set<string>();
  for (const s of project.colored) if (await runtime.docker.imageExists(s.byColor[color].image)) imagesPresent.add(s.byColor[color].image);
  const planned = planSwarmPull({ project, color, version: input.version, pull: input.pull, imagesPresent });
  if (!planned.ok) throw refusal(planned.problems);
  await pullImages(runtime, planned.pull);
  const images = await resolveServiceImages(runtime, project, color);
  const pins = pinSwarmImages(images, (await swarm.info()).nodes);
  if (!pins.ok) throw refusal(pins.problems);
  for (const warning of pins.warnings) runtime.logger.warn({ event: 'swarm.image.local' }, warning);
  runtime.logger.info({ event: 'images.resolved', images }, `images: ${Object.entries(images).map(([service, image]) => `${service} ${describeIdentity(image)}`).join(', ')}`);
  return { project: pinImages(project, color, images), images };
}

function refusal(problems: string[]): ConfigInvalidError {
  return new ConfigInvalidError(problems.map((message) => ({ file: 'deploy images (--engine swarm)', path: '', message })), { hint: 'change what is said, then deploy again; nothing was changed' });
}
