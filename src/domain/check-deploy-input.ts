import type { Color, ProjectConfig } from '../config/model.js';
import { checkImageReferences } from './check-image-references.js';
import { pullPolicyFor, type PullPolicy } from './pull-policy.js';

export interface DeployInputFacts {
  project: ProjectConfig;
  version: string;
  /** The to color when planned, or both colors before Caddy is read. */
  colors: readonly Color[];
  /** --pull; undefined: per image, `always` for a moving tag, else `missing`. */
  pull: PullPolicy | undefined;
  /** Shared services that already have a container. */
  sharedPresent: ReadonlySet<string>;
  imagesPresent: ReadonlySet<string>;
}

/**
 * The images a deploy may need, each with its pull policy: the colored
 * services' images in `colors` follow the moving-tag rule; a shared service's
 * image counts only when it has no container (then the deploy starts it).
 */
export function deployImagePolicies(facts: Omit<DeployInputFacts, 'version' | 'imagesPresent'>): Map<string, PullPolicy> {
  const policies = new Map<string, PullPolicy>();
  for (const color of facts.colors) {
    for (const s of facts.project.colored) policies.set(s.byColor[color].image, pullPolicyFor(s.byColor[color].image, facts.pull));
  }
  for (const s of facts.project.shared) if (!facts.sharedPresent.has(s.name) && !policies.has(s.image)) policies.set(s.image, facts.pull ?? 'missing');
  return policies;
}

/**
 * Pure: every reason the project, the version and --pull cannot make a
 * deploy, one line each. Asked before the first side effect (for both colors,
 * since which one is next is read from Caddy later) and again by the plan.
 */
export function checkDeployInput(facts: DeployInputFacts): string[] {
  const { project } = facts;
  const problems: string[] = [];
  for (const service of project.colored) {
    if (!service.imageFollowsVersion) {
      const images = [...new Set(facts.colors.map((color) => service.byColor[color].image))].join(', ');
      problems.push(`the image of ${service.name} (${images}) does not use \${VERSION}, so deploying a version cannot change it: write it as name:\${VERSION}`);
    }
  }
  problems.push(...new Set(facts.colors.flatMap((color) => checkImageReferences(project, color, facts.version))));
  for (const [image, policy] of deployImagePolicies(facts)) {
    if (policy === 'never' && !facts.imagesPresent.has(image)) problems.push(`image ${image} is not on this Docker engine and --pull never forbids pulling it`);
  }
  return problems;
}
