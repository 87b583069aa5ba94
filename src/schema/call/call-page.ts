/**
 * Keyset pagination over a campaign's calls, for any sort key in either direction, batched over
 * every campaign of a page: ONE SQL statement (a LATERAL subquery per campaign with its own
 * ORDER BY … LIMIT) returns the ids of all pages, whatever the number of campaigns.
 *
 * Why not Prisma's nested `take` (relatedConnection): with several parents Prisma 7 loads every
 * call of every campaign and slices in memory — a list of 20 campaigns × 1M calls would read 20M
 * rows to show 5 of each.
 *
 * Order: by the sort key, then by id (same direction) so it is total and cursors are stable.
 * NULLs (processedAt, outcome) sort last ascending and first descending — PostgreSQL's default,
 * which makes DESC the exact reverse of ASC. Enums sort in declaration order (STATUS: PENDING,
 * IN_PROGRESS, RETRY_SCHEDULED, COMPLETED, …), text by the database collation.
 * A cursor carries the sort key's value and the id, so it stays valid when rows around it change.
 */
import { GraphQLError } from 'graphql';
import { isUuid } from '../../domain/ids.ts';
import { CALL_OUTCOMES } from '../../domain/retry-policy.ts';
import { CallStatus } from '../../db/generated/prisma/enums.ts';
import { filterConditions, Params, type CallFilterInput } from '../../db/call-filter.ts';

export { countableFromTally, type CallFilterInput } from '../../db/call-filter.ts';

const CALL_STATUSES = Object.values(CallStatus);

export const CALL_ORDER_FIELDS = ['STATUS', 'NAME', 'PHONE', 'PROCESSED_AT', 'OUTCOME', 'CREATED_AT'] as const;
export type CallOrderField = (typeof CALL_ORDER_FIELDS)[number];
export type Direction = 'ASC' | 'DESC';

const SORT_KEYS: Record<CallOrderField, { column: string; cast: string; nullable: boolean }> = {
  STATUS: { column: 'c.status', cast: '"CallStatus"', nullable: false },
  NAME: { column: 'c.name', cast: 'text', nullable: false },
  PHONE: { column: 'c.phone_number', cast: 'text', nullable: false },
  PROCESSED_AT: { column: 'c.processed_at', cast: 'timestamptz', nullable: true },
  OUTCOME: { column: 'c.outcome', cast: '"CallOutcome"', nullable: true },
  CREATED_AT: { column: 'c.created_at', cast: 'timestamptz', nullable: false },
};

export interface CallPageArgs {
  filter?: CallFilterInput | null;
  orderBy?: { field: CallOrderField; direction: Direction } | null;
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

interface Cursor {
  field: CallOrderField;
  value: string | null;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.field, c.value, c.id])).toString('base64url');
}

function decodeCursor(cursor: string, field: CallOrderField, arg: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !CALL_ORDER_FIELDS.includes(parsed[0]) ||
    !(parsed[1] === null || typeof parsed[1] === 'string') ||
    typeof parsed[2] !== 'string' ||
    !isUuid(parsed[2])
  ) {
    throw new GraphQLError(`\`${arg}\` is not a cursor of this connection`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (!validSortValue(parsed[0] as CallOrderField, parsed[1] as string | null)) {
    throw new GraphQLError(`\`${arg}\` is not a cursor of this connection`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (parsed[0] !== field) {
    throw new GraphQLError(`\`${arg}\` was issued for order ${parsed[0]}, not ${field}; restart from the first page`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return { field, value: parsed[1], id: parsed[2] };
}

/** A sort key's value as a cursor may carry it: what the column could hold, so SQL never fails on it. */
function validSortValue(field: CallOrderField, value: string | null): boolean {
  if (value === null) return SORT_KEYS[field].nullable;
  if (value.includes('\u0000') || value.length > 1000) return false;
  switch (field) {
    case 'PROCESSED_AT':
    case 'CREATED_AT':
      // As PostgreSQL prints a timestamptz ("2026-11-30 05:10:00.123+00"), which it reads back.
      return /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[ T]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(value);
    case 'STATUS':
      return (CALL_STATUSES as readonly string[]).includes(value);
    case 'OUTCOME':
      return (CALL_OUTCOMES as readonly string[]).includes(value);
    default:
      return true;
  }
}

const flip = (d: Direction): Direction => (d === 'ASC' ? 'DESC' : 'ASC');

type Condition = (p: Params) => string;

/** Rows strictly after `cursor` in the order (field, id) `direction`. */
function afterCursor(field: CallOrderField, direction: Direction, cursor: Cursor): Condition {
  const { column, cast, nullable } = SORT_KEYS[field];
  if (!nullable && cursor.value === null) {
    throw new GraphQLError('cursor has no value for a non-null sort key', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return (p) => afterCursorSql(column, cast, nullable, direction, cursor, p);
}

function afterCursorSql(column: string, cast: string, nullable: boolean, direction: Direction, cursor: Cursor, p: Params): string {
  const id = () => `${p.add(cursor.id)}::uuid`;
  const value = () => `${p.add(cursor.value)}::${cast}`;
  const cmp = direction === 'ASC' ? '>' : '<';
  if (!nullable || (cursor.value !== null && direction === 'DESC')) {
    return `(${column}, c.id) ${cmp} (${value()}, ${id()})`;
  }
  if (direction === 'ASC') {
    // NULLs come last: after a value come greater values, then every NULL.
    return cursor.value === null ? `(${column} IS NULL AND c.id > ${id()})` : `((${column}, c.id) > (${value()}, ${id()}) OR ${column} IS NULL)`;
  }
  // DESC, cursor on a NULL (NULLs first): the NULLs after it, then every value.
  return `((${column} IS NULL AND c.id < ${id()}) OR ${column} IS NOT NULL)`;
}

export interface PagePlan {
  field: CallOrderField;
  /** Direction the SQL scans in (the requested one, reversed for `last`). */
  scan: Direction;
  limit: number;
  /** Conditions beyond campaign and filter: the cursors. */
  where: Condition[];
  /** Turns the scanned rows (limit = page size + 1) into the page. */
  finish<T>(rows: T[]): { rows: T[]; hasNextPage: boolean; hasPreviousPage: boolean };
}

function pageSize(value: number | null | undefined, arg: string): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0) throw new GraphQLError(`\`${arg}\` must be a non-negative integer`, { extensions: { code: 'BAD_USER_INPUT' } });
  return Math.min(value, MAX_PAGE_SIZE);
}

/** Plans one page (Relay semantics: after/before bound the list, first/last take from its ends). */
export function planPage(args: CallPageArgs): PagePlan {
  const field = args.orderBy?.field ?? 'CREATED_AT';
  const direction = args.orderBy?.direction ?? 'ASC';
  let first = pageSize(args.first, 'first');
  const last = pageSize(args.last, 'last');
  if (first == null && last == null) first = DEFAULT_PAGE_SIZE;
  const where: Condition[] = [];
  const after = args.after ? decodeCursor(args.after, field, 'after') : null;
  const before = args.before ? decodeCursor(args.before, field, 'before') : null;
  if (after) where.push(afterCursor(field, direction, after));
  if (before) where.push(afterCursor(field, flip(direction), before));

  if (first != null) {
    return {
      field,
      scan: direction,
      limit: first + 1,
      where,
      finish(rows) {
        const hasNextPage = rows.length > first;
        let page = rows.slice(0, first);
        let hasPreviousPage = after != null;
        if (last != null && page.length > last) {
          page = page.slice(page.length - last);
          hasPreviousPage = true;
        }
        return { rows: page, hasNextPage, hasPreviousPage };
      },
    };
  }
  const take = last!;
  return {
    field,
    scan: flip(direction),
    limit: take + 1,
    where,
    finish(rows) {
      return { rows: rows.slice(0, take).reverse(), hasNextPage: before != null, hasPreviousPage: rows.length > take };
    },
  };
}

/**
 * The first `plan.limit` rows of each of `campaignIds` in the plan's order, through each
 * campaign's (campaign_id, sort key, id) index: the LATERAL subquery `q` (campaign_id, id,
 * sort_key, sort_value) both statements below are built on.
 */
function perCampaignRows(plan: PagePlan, filter: CallFilterInput | null | undefined, campaignIds: readonly string[]) {
  const p = new Params();
  const ids = p.add([...campaignIds]);
  const { column } = SORT_KEYS[plan.field];
  const where = [...filterConditions(filter, p), ...plan.where.map((condition) => condition(p))];
  const limit = p.add(plan.limit);
  const dir = plan.scan;
  const from = `
      FROM unnest(${ids}::uuid[]) AS k(campaign_id)
      CROSS JOIN LATERAL (
        SELECT c.campaign_id, c.id, ${column} AS sort_key, ${column}::text AS sort_value
          FROM "call" c
         WHERE c.campaign_id = k.campaign_id${where.map((w) => `\n           AND ${w}`).join('')}
         ORDER BY ${column} ${dir}, c.id ${dir}
         LIMIT ${limit}) q`;
  return { from, limit, dir, params: p.values };
}

/**
 * One statement for the pages of all `campaignIds`: rows (campaign_id, id, sort_value, rn) with
 * rn the 1-based position in its campaign's scan order.
 */
export function pagesStatement(plan: PagePlan, filter: CallFilterInput | null | undefined, campaignIds: readonly string[]) {
  const { from, dir, params } = perCampaignRows(plan, filter, campaignIds);
  const sql = `
    SELECT q.campaign_id::text AS campaign_id, q.id::text AS id, q.sort_value,
           (row_number() OVER (PARTITION BY q.campaign_id ORDER BY q.sort_key ${dir}, q.id ${dir}))::int AS rn${from}`;
  return { sql, params };
}

/**
 * One page across several campaigns (the organisation's calls): each campaign contributes its
 * own first rows through its index, and the union is ordered and cut once — an index range per
 * campaign, never a scan of the whole table.
 */
export function mergedPageStatement(plan: PagePlan, filter: CallFilterInput | null | undefined, campaignIds: readonly string[]) {
  const { from, limit, dir, params } = perCampaignRows(plan, filter, campaignIds);
  const sql = `
    SELECT q.id::text AS id, q.sort_value${from}
     ORDER BY q.sort_key ${dir}, q.id ${dir}
     LIMIT ${limit}`;
  return { sql, params };
}

/** Per-campaign row counts for filters the counters cannot answer (search, processed range). */
export function countStatement(filter: CallFilterInput | null | undefined, campaignIds: readonly string[]) {
  const p = new Params();
  const ids = p.add([...campaignIds]);
  const where = filterConditions(filter, p);
  const sql = `
    SELECT k.campaign_id::text AS campaign_id,
           (SELECT count(*) FROM "call" c WHERE c.campaign_id = k.campaign_id${where.map((w) => ` AND ${w}`).join('')})::int AS n
      FROM unnest(${ids}::uuid[]) AS k(campaign_id)`;
  return { sql, params: p.values };
}
