import type { CollectionTag, ScalarTag } from 'yaml';

/**
 * Compose's merge tags. `!reset` removes what earlier files set (`ports: !reset []`);
 * `!override` replaces instead of merging (`ports: !override ["8443:443"]`).
 * The YAML reader turns tagged nodes into these markers; merging consumes them.
 */
export class ResetValue {}

export class OverrideValue {
  constructor(readonly value: unknown) {}
}

type Wrap = (inner: unknown) => unknown;
type Convertible = { toJSON(arg: unknown, ctx: unknown): unknown };

// The YAML library calls `toJSON` on whatever a tag resolves to when it builds
// plain JS (with `json: true`), so the marker is created with the converted content.
function tagsFor(tag: string, wrap: Wrap): Array<ScalarTag | CollectionTag> {
  const lazy = (convert: (arg: unknown, ctx: unknown) => unknown): Convertible => ({ toJSON: (arg, ctx) => wrap(convert(arg, ctx)) });
  const collection = (node: unknown): Convertible => lazy((arg, ctx) => (node as Convertible).toJSON(arg, ctx));
  return [
    { tag, resolve: (text: string) => lazy(() => text) },
    { tag, collection: 'seq', resolve: collection },
    { tag, collection: 'map', resolve: collection },
  ] as Array<ScalarTag | CollectionTag>;
}

export const MERGE_TAGS: Array<ScalarTag | CollectionTag> = [
  ...tagsFor('!reset', () => new ResetValue()),
  ...tagsFor('!override', (inner) => new OverrideValue(inner)),
];
