/**
 * The demo's images, built offline from this machine's files (no registry):
 * `cutover-demo-app:v1`, `:v2` and `:db` are the test app
 * (test/fixtures/app/server.mjs) with the version baked in, FROM
 * `cutover-demo-app:base`; `cutover-demo-caddy:local` is /usr/bin/caddy in an
 * image. The imported bases are reused while their recipe is unchanged, so a
 * second run takes seconds.
 */
import type Docker from 'dockerode';
import { buildCaddyImage, currentCaddyRecipe } from '../../test/rig/caddy-image.js';
import { buildOnBase, imageRecipe, importRootfs, labelInstruction, RECIPE_LABEL, recipeHash } from '../../test/rig/rootfs-image.js';
import { APP_IMAGE_CHANGES, appRootfsRecipe, versionBakedIn } from '../../test/rig/test-image.js';

/** On every image the demo builds, so `scripts/demo.sh down --images` finds them. */
export const DEMO_IMAGE_LABELS: Record<string, string> = { 'cutover.demo': 'cutover-demo' };
export const DEMO_IMAGE_LABEL = 'cutover.demo=cutover-demo';

const APP_REPO = 'cutover-demo-app';
export const DEMO_CADDY_IMAGE = 'cutover-demo-caddy:local';
const TEMP_PREFIX = 'cutover-demo-build-';

export interface BuiltImage {
  ref: string;
  /** `reused` when an image of the same recipe was already there. */
  how: 'imported' | 'reused' | 'built';
}

async function ensureAppBase(docker: Docker): Promise<BuiltImage> {
  const recipe = await appRootfsRecipe();
  const hash = await recipeHash(recipe);
  const ref = `${APP_REPO}:base`;
  if ((await imageRecipe(docker, ref)) === hash) return { ref, how: 'reused' };
  await importRootfs(docker, recipe, {
    repo: APP_REPO,
    tag: 'base',
    changes: [...APP_IMAGE_CHANGES, labelInstruction({ ...DEMO_IMAGE_LABELS, [RECIPE_LABEL]: hash })],
    tempPrefix: TEMP_PREFIX,
  });
  return { ref, how: 'imported' };
}

async function ensureCaddy(docker: Docker): Promise<BuiltImage> {
  if ((await imageRecipe(docker, DEMO_CADDY_IMAGE)) === (await currentCaddyRecipe())) return { ref: DEMO_CADDY_IMAGE, how: 'reused' };
  await buildCaddyImage(docker, { ref: DEMO_CADDY_IMAGE, labels: DEMO_IMAGE_LABELS, tempPrefix: TEMP_PREFIX });
  return { ref: DEMO_CADDY_IMAGE, how: 'imported' };
}

/**
 * The demo's broken release: the test app answers 500 to every 2nd GET
 * /version (on every service and port, since each handler strips its prefix),
 * while /health, /, POST /echo and /slow answer as usual: healthy to Docker and
 * to a probe of `/`, broken for half of one path's real traffic.
 */
export const BROKEN_VERSION = 'v3';
const BROKEN_ENV: Record<string, string> = { FAIL_SHARE: '0.5', FAIL_PATH: '/version' };

/** Builds (or reuses) every image compose.yml names for the given app versions ({@link BROKEN_VERSION} built broken). */
export async function buildDemoImages(docker: Docker, versions: readonly string[]): Promise<BuiltImage[]> {
  const [base, caddy] = await Promise.all([ensureAppBase(docker), ensureCaddy(docker)]);
  const apps: BuiltImage[] = [];
  for (const version of versions) {
    const baked = versionBakedIn(version);
    const env = version === BROKEN_VERSION ? { ...baked.env, ...BROKEN_ENV } : baked.env;
    const ref = await buildOnBase(docker, { base: base.ref, ref: `${APP_REPO}:${version}`, labels: DEMO_IMAGE_LABELS, env, texts: baked.texts, tempPrefix: TEMP_PREFIX });
    apps.push({ ref, how: 'built' });
  }
  return [base, ...apps, caddy];
}
