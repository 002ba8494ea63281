/**
 * An offline Caddy image: this machine's /usr/bin/caddy with the libraries
 * `ldd` lists, a minimal /etc, /tmp, and dirs for config and data. No CA
 * bundle: the stacks that use it (the container-mode test, the demo) serve
 * plain HTTP with `auto_https off`.
 *
 * It runs `caddy run` on /etc/caddy/Caddyfile (mount yours there). The image's
 * own Caddyfile only puts the admin API on 0.0.0.0:2019 inside the container,
 * so that a port published on 127.0.0.1 reaches it.
 *
 *   await buildCaddyImage(docker, { ref: 'cutover-demo-caddy:local', labels, tempPrefix });
 *   await buildTestCaddyImage(docker, scope);   // `<scope>-caddy:local`, scope labels
 */
import type Docker from 'dockerode';
import { binaryWithLibraries, importRootfs, labelInstruction, MINIMAL_ETC, RECIPE_LABEL, recipeHash, type RootfsRecipe } from './rootfs-image.js';
import { runTempPrefix, type TestScope } from './run-id.js';

const CADDY_BINARY = '/usr/bin/caddy';
export const CADDY_ADMIN_PORT = 2019;
export const CADDY_HTTP_PORT = 80;

const DEFAULT_CADDYFILE = `# Replace by mounting your own Caddyfile here.
{
\tadmin 0.0.0.0:${CADDY_ADMIN_PORT}
\tauto_https off
}
`;

export async function caddyRootfsRecipe(): Promise<RootfsRecipe> {
  return {
    name: 'caddy-1',
    hostFiles: await binaryWithLibraries(CADDY_BINARY),
    texts: { ...MINIMAL_ETC, '/etc/caddy/Caddyfile': DEFAULT_CADDYFILE },
    dirs: ['/tmp', '/root', '/config', '/data', '/srv'],
  };
}

/** How the image runs Caddy: autosave in /config, storage in /data. */
const CADDY_IMAGE_CHANGES = [
  'ENV PATH=/usr/bin:/bin',
  'ENV HOME=/root',
  'ENV XDG_CONFIG_HOME=/config',
  'ENV XDG_DATA_HOME=/data',
  'WORKDIR /srv',
  `EXPOSE ${CADDY_HTTP_PORT} ${CADDY_ADMIN_PORT}`,
  'CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]',
];

/** Imports the Caddy image as `ref` (`repo:tag`) with the labels; returns the ref and the recipe hash it carries. */
export async function buildCaddyImage(docker: Docker, image: { ref: string; labels: Record<string, string>; tempPrefix: string }): Promise<{ ref: string; recipe: string }> {
  const recipe = await caddyRootfsRecipe();
  const hash = await recipeHash(recipe);
  const colon = image.ref.lastIndexOf(':');
  const [repo, tag] = colon > image.ref.lastIndexOf('/') ? [image.ref.slice(0, colon), image.ref.slice(colon + 1)] : [image.ref, 'latest'];
  const ref = await importRootfs(docker, recipe, {
    repo,
    tag,
    changes: [...CADDY_IMAGE_CHANGES, labelInstruction({ ...image.labels, [RECIPE_LABEL]: hash })],
    tempPrefix: image.tempPrefix,
  });
  return { ref, recipe: hash };
}

/** The hash that an image of the current recipe carries in RECIPE_LABEL (rootfs-image.ts). */
export async function currentCaddyRecipe(): Promise<string> {
  return recipeHash(await caddyRootfsRecipe());
}

/** `<scope>-caddy:local` with the scope's labels, removed with the scope's images. */
export async function buildTestCaddyImage(docker: Docker, scope: TestScope): Promise<string> {
  const { ref } = await buildCaddyImage(docker, { ref: `${scope.prefix}-caddy:local`, labels: scope.labels, tempPrefix: `${runTempPrefix()}caddy-rootfs-` });
  return ref;
}
