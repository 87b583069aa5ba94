import type { builder } from '../builder.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
type CountingConnection = { totalCount?: number | (() => number | Promise<number>) };

/**
 * A described `totalCount` field for a prismaConnection's connection options (the plugin's own
 * has no description and is replaced by this one). The extension lets the plugin skip loading
 * nodes when only the count is selected.
 */
export function totalCountField(t: PothosSchemaTypes.ObjectFieldBuilder<Types, object>, description: string) {
  return t.int({
    description,
    extensions: { pothosPrismaTotalCount: true },
    resolve: (parent) => {
      const count = (parent as CountingConnection).totalCount;
      return typeof count === 'function' ? count() : (count ?? 0);
    },
  });
}
