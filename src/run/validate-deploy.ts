import { loadProject } from '../config/load-project.js';
import type { ProjectConfig } from '../config/model.js';
import { checkDeployInput } from '../domain/check-deploy-input.js';
import { parseImageReference } from '../domain/image-reference.js';
import type { PullPolicy } from '../domain/plan-deploy.js';
import { validateVersion } from '../domain/validate-version.js';
import { ConfigInvalidError, UsageError } from '../errors.js';
import type { Runtime } from './runtime.js';
import { checkSharedServicesStartable } from './start-shared-services.js';

/** What a deploy is asked, as far as it can be checked before anything changes. */
export interface DeployInput {
  version: string;
  pull: PullPolicy | undefined;
  verifyUrl: string | undefined;
  failFast?: boolean | undefined;
}

/** --fail-fast wins over the HEALTH_FAIL_FAST setting; without the flag the setting decides. */
export function withFailFast(project: ProjectConfig, failFast: boolean | undefined): ProjectConfig {
  return failFast === true ? { ...project, settings: { ...project.settings, healthFailFast: true } } : project;
}

/** A usage error (exit 2), like every other malformed flag. */
export function checkVerifyUrl(url: string | undefined): void {
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) {
    throw new UsageError(`--verify-url ${url} is not an http:// or https:// URL`, { hint: 'a URL Caddy serves, e.g. --verify-url http://127.0.0.1:8080/health' });
  }
}

/**
 * The one validation layer of a deploy, run before its first side effect (the
 * lock, settling an interrupted operation, starting shared services, pulling):
 * the version, the flags, the compose files and settings, and the plan checks
 * that do not depend on Caddy (images that ignore ${VERSION}, a digest in a tag
 * position, --pull never with a missing image, a shared service cutover could
 * not start). It only reads: the project files and Docker's images and
 * containers. The to color is not known yet (Caddy is read after the lock),
 * so the images of both colors are checked. A refusal here changes nothing.
 */
export async function validateDeploy(runtime: Runtime, input: DeployInput): Promise<{ version: string; project: ProjectConfig }> {
  const version = validateVersion(input.version);
  checkVerifyUrl(input.verifyUrl);
  const project = withFailFast(await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: version } }), input.failFast);
  const shared = await runtime.docker.findSharedContainers(project.projectName, project.shared);
  const sharedPresent = new Set(shared.filter((s) => s.containers.length > 0).map((s) => s.service));
  checkSharedServicesStartable(project, sharedPresent);
  const images = new Set([...project.colored.flatMap((s) => [s.byColor.blue.image, s.byColor.green.image]), ...project.shared.map((s) => s.image)]);
  const imagesPresent = new Set<string>();
  // An image that is no valid reference (a digest in a tag position) is not asked about: checkDeployInput names it.
  for (const image of images) if (parseImageReference(image) !== undefined && (await runtime.docker.imageExists(image))) imagesPresent.add(image);
  const problems = checkDeployInput({ project, version, colors: ['blue', 'green'], pull: input.pull, sharedPresent, imagesPresent });
  if (problems.length > 0) throw new ConfigInvalidError(problems.map((message) => ({ file: 'deploy plan', path: '', message })));
  return { version, project };
}
