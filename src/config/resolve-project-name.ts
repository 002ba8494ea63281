export type ProjectNameResult = { ok: true; name: string } | { ok: false; message: string };

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * The Compose project name: top-level `name:`, else COMPOSE_PROJECT_NAME, else
 * the directory's name. Like Compose, a name given explicitly must already be
 * valid, while the directory's name is normalised (lowercased, other
 * characters dropped, leading `-`/`_` trimmed).
 */
export function resolveProjectName(input: { name: string | undefined; composeProjectName: string | undefined; directoryName: string }): ProjectNameResult {
  const explicit = input.name !== undefined && input.name !== '' ? input.name : input.composeProjectName;
  if (explicit !== undefined && explicit !== '') {
    if (VALID.test(explicit)) return { ok: true, name: explicit };
    return { ok: false, message: `"${explicit}" is not a valid project name: use lowercase letters, digits, "-" and "_", starting with a letter or digit` };
  }
  const normalised = input.directoryName.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[-_]+/, '');
  if (normalised !== '') return { ok: true, name: normalised };
  return { ok: false, message: `the directory name "${input.directoryName}" gives no valid project name; set name: in the compose file or COMPOSE_PROJECT_NAME` };
}
