/**
 * cutover installs the way Node CLIs do: `npm pack` (which builds dist/ on
 * prepack) gives a tarball whose global install yields a working `cutover`
 * with no other step. The tarball is installed into a temporary prefix, from
 * npm's cache where it can (--prefer-offline), and the installed binary is run
 * from outside the repository.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoDir = fileURLToPath(new URL('../..', import.meta.url));

interface PackedFile {
  path: string;
  mode: number;
}

describe('the packed tarball, installed globally', () => {
  let workDir: string;
  let prefix: string;
  let bin: string;
  let packedFiles: PackedFile[];
  let version: string;

  before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'cutover-pack-'));
    prefix = path.join(workDir, 'prefix');
    bin = path.join(prefix, 'bin', 'cutover');
    version = (JSON.parse(await readFile(path.join(repoDir, 'package.json'), 'utf8')) as { version: string }).version;
    const packed = await run('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: repoDir, maxBuffer: 16 * 1024 * 1024 });
    const [report] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: PackedFile[] }[];
    assert.ok(report, `npm pack printed no report: ${packed.stdout}`);
    packedFiles = report.files;
    await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(workDir, report.filename)], {
      cwd: workDir,
      maxBuffer: 16 * 1024 * 1024,
    });
  });

  after(async () => {
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  test('holds the built CLI, the README and the docs, and no sources or tests', () => {
    const paths = packedFiles.map((f) => f.path);
    for (const wanted of ['dist/cli.js', 'README.md', 'package.json', 'docs/caddy-facts.md']) assert.ok(paths.includes(wanted), `${wanted} is missing from the tarball`);
    assert.deepEqual(
      paths.filter((p) => /^(src|test|scripts|bench)\//.test(p) || p.endsWith('.ts') || p.endsWith('.map')),
      [],
      'sources, tests, scripts or source maps in the tarball',
    );
    const cli = packedFiles.find((f) => f.path === 'dist/cli.js');
    assert.ok(cli !== undefined && (cli.mode & 0o111) !== 0, 'dist/cli.js is not executable in the tarball');
  });

  test('the installed dist/cli.js keeps its shebang and is executable', async () => {
    const installed = path.join(prefix, 'lib', 'node_modules', 'cutover', 'dist', 'cli.js');
    assert.match(await readFile(installed, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.notEqual((await stat(installed)).mode & 0o111, 0);
  });

  test('cutover --version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const { stdout } = await run(bin, [flag], { cwd: workDir });
      assert.equal(stdout, `${version}\n`, `cutover ${flag}`);
    }
  });

  test('cutover help lists the commands and the version flag', async () => {
    const { stdout } = await run(bin, ['help'], { cwd: workDir });
    assert.match(stdout, /^Usage: cutover \[options\] \[command\]/);
    assert.match(stdout, /-V, --version +print the version of cutover/);
    for (const command of ['deploy', 'status', 'promote', 'abort', 'rollback', 'cleanup', 'reset', 'config', 'help']) {
      assert.match(stdout, new RegExp(`^  ${command} `, 'm'), `help lacks ${command}`);
    }
  });

  test('in the repository, npm run cutover and scripts/deploy.sh run the built dist/cli.js, not rebuilt while fresh', async () => {
    // npm pack has just built dist/. deploy.sh prefers a cutover on PATH: give it node's and the system's directories only.
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` };
    const viaScript = await run('bash', [path.join(repoDir, 'scripts', 'cutover.sh'), '--version'], { cwd: workDir, env });
    assert.equal(viaScript.stdout, `${version}\n`);
    assert.doesNotMatch(viaScript.stderr, /npm run build/, 'dist/ was rebuilt although it is newer than src/');
    const viaDeploy = await run('bash', [path.join(repoDir, 'scripts', 'deploy.sh'), 'help'], { cwd: workDir, env });
    assert.match(viaDeploy.stdout, /^Usage: cutover \[options\] \[command\]/);
    const manifest = JSON.parse(await readFile(path.join(repoDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(manifest.scripts.cutover, 'bash scripts/cutover.sh');
  });

  test('config --version still takes the version to resolve images with', async () => {
    const { stdout } = await run(bin, ['-C', repoDir, 'config', '--version', 'v9.8.7', '--json'], { cwd: workDir, maxBuffer: 16 * 1024 * 1024 });
    assert.match(stdout, /:v9\.8\.7"/);
    assert.notEqual(stdout.trim(), version);
  });
});
