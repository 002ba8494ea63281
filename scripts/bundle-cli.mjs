// Bundles the CLI into one file: `node scripts/bundle-cli.mjs <outfile>`.
//
// Why: started from dist/ as tsc leaves it, every cutover command spent about
// 0.6 s of CPU before doing anything, reading and compiling some thousand
// module files, among them two large libraries cutover never runs: dockerode
// loads a gRPC stack (for BuildKit sessions of `docker build`) and docker-modem
// loads ssh2 (for ssh:// engines). cutover reaches the engine only over a unix
// socket or tcp:// (src/adapters/docker/docker-client.ts refuses other
// DOCKER_HOSTs first), so both are replaced by a module that throws if it is
// ever called. One bundled file also spares the file lookups of the rest.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2];
if (outfile === undefined) {
  console.error('usage: node scripts/bundle-cli.mjs <outfile>');
  process.exit(2);
}

/** Modules cutover never runs, answered by a stub that says so if it ever is. */
const NEVER_RUN = [
  { filter: /^ssh2$/, why: 'an ssh:// Docker engine' },
  { filter: /^\.\/session$/, why: 'a BuildKit session of docker build', inside: /[\\/]dockerode[\\/]lib$/ },
  { filter: /^\.\/buildkit$/, why: 'a BuildKit build', inside: /[\\/]dockerode[\\/]lib$/ },
  { filter: /^cpu-features$/, why: 'ssh2 cpu feature detection' },
];

const neverRun = {
  name: 'never-run',
  setup(pluginBuild) {
    for (const { filter, why, inside } of NEVER_RUN) {
      pluginBuild.onResolve({ filter }, (args) => {
        if (inside !== undefined && !inside.test(args.resolveDir)) return undefined;
        return { path: args.path, namespace: 'never-run', pluginData: why };
      });
    }
    pluginBuild.onLoad({ filter: /.*/, namespace: 'never-run' }, (args) => ({
      contents: `const fail = () => { throw new Error('cutover does not support ${args.pluginData} (${args.path} is left out of its build)'); };
module.exports = new Proxy(fail, { get: (_target, key) => (key === '__esModule' ? false : fail), apply: fail, construct: fail });`,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [path.join(repo, 'src/cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as cutoverCreateRequire } from 'node:module';\nconst require = cutoverCreateRequire(import.meta.url);" },
  plugins: [neverRun],
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
