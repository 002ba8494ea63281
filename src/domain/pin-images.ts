import type { Color, ProjectConfig } from '../config/model.js';
import { pinnedReference, type ServiceImages } from './image-identity.js';

/**
 * Pure: the project with each colored service of `color` that has a recorded
 * identity set to start exactly that image (`repo@sha256:...`, or the local
 * image ID), whatever its tag means today. Services without one keep their
 * image as written.
 */
export function pinImages(project: ProjectConfig, color: Color, images: ServiceImages): ProjectConfig {
  return {
    ...project,
    colored: project.colored.map((service) => {
      const identity = images[service.name];
      if (identity === undefined) return service;
      return { ...service, byColor: { ...service.byColor, [color]: { ...service.byColor[color], image: pinnedReference(identity) } } };
    }),
  };
}
