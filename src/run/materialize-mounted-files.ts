import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MountedFile } from '../config/container-settings.js';
import type { ServiceSpec } from '../config/model.js';
import { OperationFailedError } from '../errors.js';

/** Where cutover keeps the copies, under the project directory. */
export const MOUNTED_FILES_DIR = path.join('.cutover', 'files');

/**
 * Secrets and configs as files a container can mount with the declared owner
 * and mode. A bind mount shows the host file's own owner and mode, and a
 * read-only root file system forbids writing into the container after create,
 * so cutover copies each file's bytes into `<project>/.cutover/files/` (dir
 * 0700), owned uid:gid with the mode, and bind-mounts that copy read-only.
 *
 * A copy is named by the hash of its bytes, owner and mode: it never changes
 * once written, so a parked or standby container keeps exactly the secret it
 * started with while the next deploy mounts a new copy. Copies are written
 * atomically (a temp file renamed into place).
 */
export async function materializeMountedFiles(projectDir: string, spec: ServiceSpec): Promise<ServiceSpec> {
  const files = spec.container?.files ?? [];
  if (files.length === 0 || spec.container === undefined) return spec;
  const dir = path.join(projectDir, MOUNTED_FILES_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const materialized: MountedFile[] = [];
  for (const file of files) materialized.push({ ...file, hostPath: await writeCopy(dir, spec.name, file) });
  return { ...spec, container: { ...spec.container, files: materialized } };
}

async function writeCopy(dir: string, service: string, file: MountedFile): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = file.source.kind === 'file' ? await readFile(file.source.path) : Buffer.from(file.source.text, 'utf8');
  } catch (cause) {
    throw new OperationFailedError(`cannot read ${file.kind} "${file.name}" of service ${service} from ${file.source.kind === 'file' ? file.source.path : 'its content'}`, {
      cause,
      hint: 'the file was there when the compose files were read; put it back and run the command again',
    });
  }
  const hash = createHash('sha256').update(bytes).update(`\0${file.uid}:${file.gid}:${file.mode.toString(8)}`).digest('hex').slice(0, 24);
  const target = path.join(dir, `${file.kind}-${hash}`);
  if (await stat(target).then(() => true, () => false)) return target;
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, bytes, { mode: 0o600 });
    await chown(temp, file.uid, file.gid);
    await chmod(temp, file.mode);
    await rename(temp, target);
  } catch (cause) {
    throw new OperationFailedError(`cannot write the copy of ${file.kind} "${file.name}" for service ${service} (owner ${file.uid}:${file.gid}, mode ${file.mode.toString(8).padStart(4, '0')})`, {
      cause,
      hint: 'giving a file another owner needs root: run cutover as root, or drop uid/gid from the service\'s secrets/configs entry',
    });
  }
  return target;
}
