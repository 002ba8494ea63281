import type Docker from 'dockerode';
import { findLabelled, removeLabelled, type LabelledObjects } from './labelled-objects.js';
import { RUN_LABEL, runId, runIsOwned, SCOPE_LABEL, type TestScope } from './run-id.js';
import { removeTestImages } from './test-image.js';

/**
 * For a test file's after(): removes everything the file created (its scope
 * label) and returns what is still there afterwards, which must be nothing.
 * When the file runs on its own, the run's shared base image is its to remove
 * too, and the check covers the whole run label.
 */
export async function cleanUpScope(docker: Docker, scope: TestScope): Promise<LabelledObjects> {
  await removeLabelled(docker, `${SCOPE_LABEL}=${scope.prefix}`);
  await removeTestImages(docker, scope);
  return findLabelled(docker, runIsOwned ? `${RUN_LABEL}=${runId}` : `${SCOPE_LABEL}=${scope.prefix}`);
}

export const NOTHING_LEFT: LabelledObjects = { containers: [], networks: [], volumes: [], images: [] };
