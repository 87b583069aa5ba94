import { GraphQLError } from 'graphql';
import { campaignDurationSeconds } from '../../domain/stats.ts';
import { readEvents, type StreamEvent } from '../../realtime/event-log.ts';
import { builder } from '../builder.ts';
import { encodeId } from '../common/ids.ts';
import { CallFilter } from '../call/campaign-calls.ts';
import { campaignExportUrl, type EXPORT_FILES, type ExportFormat } from '../call/export-link.ts';
import { CampaignEventRef } from '../realtime/campaign-events.ts';

// What a campaign hands back: how long it ran, its history, and links to its exports.

const ExportFormatEnum = builder.enumType('ExportFormat', {
  description: 'What Campaign.exportUrl links to.',
  values: {
    CSV: { description: 'The calls as CSV (one row per contact, one column per variable).' },
    JSON: { description: 'The calls as JSON Lines (one object per line).' },
    PDF: { description: 'A PDF report: stats, rates, outcome chart, attempts per contact, the first calls.' },
  } satisfies Record<keyof typeof EXPORT_FILES, { description: string }>,
});

builder.prismaObjectField('Campaign', 'durationSeconds', (t) =>
  t.int({
    nullable: true,
    select: { firstDialedAt: true, completedAt: true, canceledAt: true },
    description: 'How long it has run, in seconds: from its first dial to its completion or stop (or to now while it goes on); null before the first dial.',
    resolve: (c) => campaignDurationSeconds(c),
  }),
);

builder.prismaObjectField('Campaign', 'exportUrl', (t) =>
  t.string({
    description:
      'A link to download the campaign’s calls (CSV, JSON Lines) or its PDF report, with the same filter as `calls`. Send your API key with it (Authorization: Bearer …). Absolute when CALLBOARD_PUBLIC_URL is set, else a path on this server.',
    args: {
      format: t.arg({ type: ExportFormatEnum, required: true, description: 'File format.' }),
      filter: t.arg({ type: CallFilter, description: 'Which calls (CSV and JSON; the PDF covers all).' }),
    },
    resolve: (c, args, ctx) =>
      campaignExportUrl(ctx.app.config.publicUrl, encodeId('Campaign', c.id), args.format as ExportFormat, args.format === 'PDF' ? null : args.filter),
  }),
);

const MAX_EVENTS_PAGE = 100;
const eventCursor = (sequence: number) => Buffer.from(`event:${sequence}`).toString('base64url');

function afterSequence(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  const match = /^event:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new GraphQLError('`after` is not a cursor of this connection', { extensions: { code: 'BAD_USER_INPUT' } });
  return Number(match[1]);
}

builder.prismaObjectField('Campaign', 'events', (t) =>
  t.connection(
    {
      type: CampaignEventRef,
      select: { eventSequence: true },
      description:
        'The campaign’s history, oldest first: the same log campaignEvents streams (every lifecycle action, contact upload and call change, numbered without gaps). Forward pagination (first/after; at most 100 per page, 20 by default).',
      resolve: async (c, args, ctx) => {
        if (args.last != null || args.before != null) {
          throw new GraphQLError('events pages forward only: use first and after', { extensions: { code: 'BAD_USER_INPUT' } });
        }
        const first = args.first ?? 20;
        if (!Number.isInteger(first) || first < 0) throw new GraphQLError('`first` must be a non-negative integer', { extensions: { code: 'BAD_USER_INPUT' } });
        const take = Math.min(first, MAX_EVENTS_PAGE);
        const after = afterSequence(args.after);
        const rows: StreamEvent[] = take === 0 ? [] : await readEvents(ctx.db, c.id, after, null, take + 1);
        const page = rows.slice(0, take);
        const edges = page.map((node) => ({ cursor: eventCursor(node.sequence), node }));
        return {
          edges,
          pageInfo: {
            hasNextPage: rows.length > take || (take === 0 && c.eventSequence > after),
            hasPreviousPage: after > 0,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
          totalCount: c.eventSequence,
        };
      },
    },
    {
      name: 'CampaignEventConnection',
      description: 'A page of a campaign’s history.',
      fields: (conn) => ({
        totalCount: conn.int({
          description: 'Events in the whole log (the last sequence number).',
          resolve: (parent) => (parent as unknown as { totalCount: number }).totalCount,
        }),
      }),
    },
    { name: 'CampaignEventEdge', description: 'An event in a page.' },
  ),
);
