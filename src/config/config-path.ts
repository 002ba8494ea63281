/**
 * Paths inside a config file as problems print them: `services.platform.ports[0]`.
 * Keys join with dots, list indexes go in brackets.
 */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function formatPath(segments: readonly PropertyKey[], parent = ''): string {
  let path = parent;
  for (const segment of segments) path = childPath(path, typeof segment === 'number' ? segment : String(segment));
  return path;
}
