import type { Color, ProjectConfig } from '../config/model.js';
import { checkDeployInput, deployImagePolicies } from './check-deploy-input.js';
import { describeIdentity, pinnedReference, type ServiceImages } from './image-identity.js';
import type { PullPolicy } from './pull-policy.js';

export type PlanSwarmPullResult = { ok: true; pull: string[] } | { ok: false; problems: string[] };

/**
 * Pure: which images of the colored services in `color` a Swarm deploy pulls
 * first, by the same rules as a Compose deploy (pull-policy.ts: a moving tag
 * always, anything else when missing, `--pull` wins), and every reason it
 * cannot deploy (an image that ignores ${VERSION}, a digest in a tag's place,
 * `--pull never` with an image this engine lacks). Shared services are left
 * to `docker stack deploy`, so their images are not asked about.
 */
export function planSwarmPull(input: { project: ProjectConfig; color: Color; version: string; pull: PullPolicy | undefined; imagesPresent: ReadonlySet<string> }): PlanSwarmPullResult {
  const sharedPresent = new Set(input.project.shared.map((s) => s.name));
  const facts = { project: input.project, version: input.version, colors: [input.color], pull: input.pull, sharedPresent, imagesPresent: input.imagesPresent };
  const problems = checkDeployInput(facts);
  if (problems.length > 0) return { ok: false, problems };
  const policies = deployImagePolicies(facts);
  return { ok: true, pull: [...policies.keys()].filter((image) => policies.get(image) === 'always' || (policies.get(image) === 'missing' && !input.imagesPresent.has(image))) };
}

export type PinSwarmImagesResult = { ok: true; warnings: string[] } | { ok: false; problems: string[] };

/**
 * Pure: whether each resolved identity can be pinned on a Swarm of `nodes`
 * nodes. A registry digest (`repo@sha256:...`) can be pulled by every node.
 * An image without one (built or loaded on this node) is pinned by its local
 * image ID, which only this node has: accepted on a single node with one
 * warning each, refused on several (a task placed on another node could not
 * start it).
 */
export function pinSwarmImages(images: ServiceImages, nodes: number): PinSwarmImagesResult {
  const local = Object.entries(images).filter(([, identity]) => identity.digest === null);
  if (local.length === 0) return { ok: true, warnings: [] };
  if (nodes > 1) {
    return {
      ok: false,
      problems: local.map(([service, identity]) => `${service}: image ${identity.ref} has no registry digest (it exists on this node only) and this Swarm has ${nodes} nodes: push it to a registry every node can pull from and name it there in the compose files`),
    };
  }
  return {
    ok: true,
    warnings: local.map(([service, identity]) => `${service}: ${describeIdentity(identity)} has no registry digest: pinned to its image ID ${pinnedReference(identity)}, which only this node has; a Swarm of several nodes needs it from a registry`),
  };
}
