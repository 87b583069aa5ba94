import { createContextCache } from '@pothos/core';
import { queryFromInfo } from '@pothos/plugin-prisma';
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.ts';
import type { Call } from '../../db/generated/prisma/client.ts';
import { builder } from '../builder.ts';
import { CallOutcomeEnum, CallStatusEnum, OrderDirectionEnum } from '../common/enums.ts';
import { CallRef } from './call.ts';
import {
  type CALL_ORDER_FIELDS,
  countableFromTally,
  countStatement,
  encodeCursor,
  pagesStatement,
  planPage,
  type CallPageArgs,
  type PagePlan,
} from './call-page.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** The filter fields a campaign's calls and the organisation's calls share (db/call-filter.ts applies them). */
export const callFilterFields = (t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) => ({
  statuses: t.field({ type: [CallStatusEnum], description: 'Only calls in one of these statuses.' }),
  outcomes: t.field({ type: [CallOutcomeEnum], description: 'Only calls with one of these outcomes.' }),
  search: t.string({
    description:
      'Case-insensitive substring of the contact name or phone number, however the number is typed ("(415) 555" finds +1415555…, "090 5555" finds +81905555…).',
  }),
  processedAfter: t.field({ type: 'DateTime', description: 'Only calls that reached a final status at or after this instant.' }),
  processedBefore: t.field({ type: 'DateTime', description: 'Only calls that reached a final status before this instant (exclusive).' }),
});

export const CallFilter = builder.inputType('CallFilter', {
  description: 'Narrows a campaign’s calls. Conditions combine with AND; list values with OR.',
  fields: (t) => callFilterFields(t),
});

const CallOrderFieldEnum = builder.enumType('CallOrderField', {
  description:
    'Sort key for calls. Ties are broken by id, so paging is stable. Statuses and outcomes sort in the order their enums list them; missing processedAt/outcome values sort last ascending, first descending.',
  values: {
    STATUS: { description: 'By status (PENDING first ascending).' },
    NAME: { description: 'By contact name.' },
    PHONE: { description: 'By phone number.' },
    PROCESSED_AT: { description: 'By the time the call reached a final status.' },
    OUTCOME: { description: 'By outcome.' },
    CREATED_AT: { description: 'By the time the contact was added; within one upload, in upload order. The default.' },
  } satisfies Record<(typeof CALL_ORDER_FIELDS)[number], { description: string }>,
});

export const CallOrder = builder.inputType('CallOrder', {
  description: 'Call sort order (ties broken by id in the same direction).',
  fields: (t) => ({
    field: t.field({ type: CallOrderFieldEnum, required: true, description: 'Sort key.' }),
    direction: t.field({ type: OrderDirectionEnum, required: true, description: 'Sort direction.' }),
  }),
});

interface CallPage {
  edges: { cursor: string; node: Call }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** The page of `scanned` (ids in scan order, page size + 1) with the nodes loaded for them. */
export function pageOf(plan: PagePlan, scanned: { id: string; sort_value: string | null }[], byId: Map<string, Call>): CallPage {
  const { rows, hasNextPage, hasPreviousPage } = plan.finish(scanned);
  const edges = rows.flatMap((r) => {
    const node = byId.get(r.id);
    // A row deleted between the two statements is simply left out.
    return node ? [{ cursor: encodeCursor({ field: plan.field, value: r.sort_value, id: r.id }), node }] : [];
  });
  return { edges, pageInfo: { hasNextPage, hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** A CallConnection that loads its page only if edges or pageInfo are asked for, and counts only if totalCount is. */
export function lazyConnection(loadPage: () => Promise<CallPage>, totalCount: () => Promise<number>): never {
  let page: Promise<CallPage> | undefined;
  const load = () => (page ??= loadPage());
  return {
    get edges() {
      return load().then((p) => p.edges);
    },
    get pageInfo() {
      return load().then((p) => p.pageInfo);
    },
    totalCount,
  } as never;
}

type Args = CallPageArgs & { first?: number | null; last?: number | null; after?: string | null; before?: string | null };

// Loaders per request and per (field path, arguments): every campaign of a list asks the same
// loader, which answers all of them with one statement for the page ids, one for the nodes (with
// whatever the client selected under `node`, relations included) and, if needed, one for counts.
// Pothos' context cache rather than a WeakMap on ctx: a subscription renews that cache before each
// event (realtime/event-scope.ts), so an event never reads the previous event's pages.
const requestLoaders = createContextCache(() => new Map<string, DataLoader<string, unknown>>());

function loaderFor<V>(ctx: Context, key: string, batch: (ids: readonly string[]) => Promise<V[]>): DataLoader<string, V> {
  const loaders = requestLoaders(ctx);
  let loader = loaders.get(key) as DataLoader<string, V> | undefined;
  if (!loader) loaders.set(key, (loader = new DataLoader(batch)) as DataLoader<string, unknown>);
  return loader;
}

/** "campaigns.edges.node.calls" for any list index: one key for all campaigns of a page. */
function pathKey(info: GraphQLResolveInfo): string {
  const parts: string[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) if (typeof p.key === 'string') parts.unshift(p.key);
  return parts.join('.');
}

function loadPages(ctx: Context, args: Args, info: GraphQLResolveInfo) {
  // Planned for every campaign, not only for the one whose loader runs the batch: planning also
  // records, under this campaign's response path, that its call nodes arrive with their relations
  // (attempts, campaign) loaded; without that record the plugin re-fetches each node's relations.
  const query = queryFromInfo({ context: ctx, info, path: ['edges', 'node'] });
  const plan = planPage(args);
  return loaderFor<CallPage>(ctx, `calls:${pathKey(info)}:${JSON.stringify(args)}`, async (campaignIds) => {
    const statement = pagesStatement(plan, args.filter, campaignIds);
    const rows = await ctx.db.prisma.$queryRawUnsafe<{ campaign_id: string; id: string; sort_value: string | null; rn: number }[]>(
      statement.sql,
      ...statement.params,
    );
    const nodes = rows.length
      ? await ctx.db.prisma.call.findMany({
          ...query,
          where: { id: { in: rows.map((r) => r.id) } },
        })
      : [];
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const byCampaign = new Map<string, typeof rows>(campaignIds.map((id) => [id, []]));
    for (const row of rows) byCampaign.get(row.campaign_id)?.push(row);
    return campaignIds.map((campaignId) =>
      pageOf(
        plan,
        byCampaign.get(campaignId)!.sort((a, b) => a.rn - b.rn),
        byId,
      ),
    );
  });
}

async function totalCount(ctx: Context, campaignId: string, args: Args, info: GraphQLResolveInfo): Promise<number> {
  const filter = args.filter;
  if (countableFromTally(filter)) {
    // O(1): the counters hold calls per (status, outcome); '' is "no outcome yet".
    const tallies = await ctx.loaders.tallies.load(campaignId);
    return tallies
      .filter((t) => !filter?.statuses?.length || filter.statuses.includes(t.status))
      .filter((t) => !filter?.outcomes?.length || filter.outcomes.includes(t.outcome))
      .reduce((sum, t) => sum + Number(t.calls), 0);
  }
  const loader = loaderFor<number>(ctx, `callCount:${pathKey(info)}:${JSON.stringify(filter)}`, async (campaignIds) => {
    const statement = countStatement(filter, campaignIds);
    const rows = await ctx.db.prisma.$queryRawUnsafe<{ campaign_id: string; n: number }[]>(statement.sql, ...statement.params);
    const counts = new Map(rows.map((r) => [r.campaign_id, Number(r.n)]));
    return campaignIds.map((id) => counts.get(id) ?? 0);
  });
  return loader.load(campaignId);
}

export const CallConnection = builder.connectionObject(
  {
    type: CallRef,
    name: 'CallConnection',
    description: 'A page of calls.',
    fields: (t) => ({
      totalCount: t.int({
        description:
          'Calls matching the filter, all pages together. Read from the campaign’s counters (constant cost) unless the filter has a search or a processed range.',
        resolve: (connection) => (connection as unknown as { totalCount: () => Promise<number> }).totalCount(),
      }),
    }),
  },
  { name: 'CallEdge', description: 'A call in a page.' },
);

builder.prismaObjectField('Campaign', 'calls', (t) =>
  t.connection(
    {
      type: CallRef,
      description:
        'The campaign’s calls (one per contact), filtered and ordered, with cursor pagination both ways (first/after, last/before; at most 100 per page, 20 by default).',
      args: {
        filter: t.arg({ type: CallFilter, description: 'Filter.' }),
        orderBy: t.arg({ type: CallOrder, description: 'Order (default CREATED_AT ASC: the order contacts were added).' }),
      },
      // Lazy: a client asking only for totalCount never loads a page, and vice versa.
      resolve: (campaign, args, ctx, info) =>
        lazyConnection(
          () => loadPages(ctx, args as Args, info).load(campaign.id),
          () => totalCount(ctx, campaign.id, args as Args, info),
        ),
    },
    CallConnection,
  ),
);
