import type { Color, ProjectConfig } from '../config/model.js';
import { DIGEST, parseImageReference } from './image-reference.js';

/**
 * Pure: one problem per colored service whose image, with `version` filled
 * in, is not a reference Docker accepts. Mostly a digest deployed into a file
 * that writes `name:${VERSION}` (a tag position): it needs `name@${VERSION}`.
 */
export function checkImageReferences(project: ProjectConfig, color: Color, version: string): string[] {
  const bad = project.colored.filter((service) => parseImageReference(service.byColor[color].image) === undefined);
  const [first] = bad;
  if (first === undefined) return [];
  if (DIGEST.test(version)) {
    // One line for all of them: they share the cause and the fix.
    return [`version ${version} is a digest, but the image of ${bad.map((s) => s.name).join(', ')} puts it where a tag goes (${first.byColor[color].image}): write the image as name@\${VERSION} to deploy digests`];
  }
  return bad.map((service) => `the image of ${service.name} (${service.byColor[color].image}) is not a valid image reference`);
}
