import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type PrismaTypes from '../db/generated/pothos-types.ts';
import { getDatamodel } from '../db/generated/pothos-types.ts';
import { getNamedType, getNullableType, isListType } from 'graphql';
import { allows } from '../auth/keys.ts';
import type { Context } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { write: boolean; admin: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    File: { Input: File; Output: never };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // Order matters: scope-auth first, errors before prisma (Pothos docs).
  // Fields are non-null unless they say otherwise: clients should not null-check what is always there.
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ComplexityPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin, DataloaderPlugin],
  complexity: {
    // Costs only: the limits are enforced before execution, with the variables (src/limits.ts).
    fieldComplexity: (args, _ctx, field) => {
      // A page costs what it can load: `first`/`last` (20 by default, 100 at most) times its selection.
      const page = (args.first ?? args.last) as number | null | undefined;
      if ('first' in args || 'last' in args || field.args.some((a) => a.name === 'first')) {
        return { field: 1, multiplier: Math.min(Math.max(page ?? 20, 1), 100) };
      }
      if (Array.isArray(args.ids)) return { field: 1, multiplier: Math.max(args.ids.length, 1) }; // nodes(ids)
      // A connection's edges are the page its first/last already counted.
      // (An object, not a number: a bare number would leave the plugin's list multiplier on.)
      if (getNamedType(field.type).name.endsWith('Edge')) return { field: 1, multiplier: 1 };
      // Other lists (a call's attempts, enums, strings) are short: a call has at most 20 attempts.
      return isListType(getNullableType(field.type)) ? { field: 1, multiplier: 5 } : 1;
    },
  },
  scopeAuth: {
    // Checked when a subscription is created, not only when its events resolve.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({ write: allows(ctx.auth.level, 'WRITE'), admin: allows(ctx.auth.level, 'ADMIN') }),
  },
  errors: { defaultTypes: [] },
  prisma: {
    // One generated client, but the instance (PGlite or PostgreSQL) is chosen at start-up.
    client: (ctx) => ctx.db.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    // A resolver that drops `query` (an N+1 in waiting) fails loudly, in tests and everywhere.
    onUnusedQuery: 'error',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodeTypeOptions: { description: 'An object with a global id, fetchable with `node(id)`.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection (cursor pagination).' },
    hasNextPageFieldOptions: { description: 'More items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item, for `before`.' },
    endCursorFieldOptions: { description: 'Cursor of the last item, for `after`.' },
    nodeQueryOptions: { description: 'Any object of your organisation by global id; null when unknown.' },
    nodesQueryOptions: { description: 'Several objects by global id, in order; null for unknown ones.' },
  },
});
