/**
 * The conditions of a call filter, as SQL on the "call" table (alias `c`): one home for the GraphQL
 * connections (a campaign's calls, the organisation's calls) and the HTTP exports alike.
 */
export interface CallFilterInput {
  statuses?: readonly string[] | null;
  outcomes?: readonly string[] | null;
  search?: string | null;
  processedAfter?: Date | null;
  processedBefore?: Date | null;
}

/** Collects positional parameters while a statement is built. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/**
 * What a search typed as a phone number looks for in E.164 numbers: its digits ("(415) 555-01"
 * finds +1415555…), and without a national trunk prefix ("090 5555" finds +81905555…, as people
 * in Japan, the UK or France type their numbers with a leading 0).
 */
export function numberSearches(search: string): string[] {
  if (!/^[\d\s+()./-]+$/.test(search)) return [];
  const digits = search.replace(/\D/g, '');
  const national = digits.replace(/^0+/, '');
  const found = new Set<string>();
  if (digits.length >= 3 && digits !== search) found.add(digits);
  if (national.length >= 3 && national !== digits) found.add(national);
  return [...found];
}

/** SQL conditions (on alias `c`) for a CallFilter; the campaign condition is the caller's. */
export function filterConditions(filter: CallFilterInput | null | undefined, p: Params): string[] {
  const where: string[] = [];
  if (!filter) return where;
  // Compared as enums (not text) so the (campaign_id, status, id) index and the statistics apply.
  if (filter.statuses?.length) where.push(`c.status = ANY(${p.add([...filter.statuses])}::text[]::"CallStatus"[])`);
  if (filter.outcomes?.length) where.push(`c.outcome = ANY(${p.add([...filter.outcomes])}::text[]::"CallOutcome"[])`);
  const search = filter.search?.trim();
  if (search) {
    const alternatives = [`c.name ILIKE ${p.add(likePattern(search))}`, `c.phone_number ILIKE ${p.add(likePattern(search))}`];
    for (const digits of numberSearches(search)) alternatives.push(`c.phone_number LIKE ${p.add(likePattern(digits))}`);
    where.push(`(${alternatives.join(' OR ')})`);
  }
  if (filter.processedAfter) where.push(`c.processed_at >= ${p.add(filter.processedAfter.toISOString())}::timestamptz`);
  if (filter.processedBefore) where.push(`c.processed_at < ${p.add(filter.processedBefore.toISOString())}::timestamptz`);
  return where;
}

/** Whether totalCount can come from the campaign's counters (they are per status × outcome). */
export function countableFromTally(filter: CallFilterInput | null | undefined): boolean {
  return !filter?.search?.trim() && !filter?.processedAfter && !filter?.processedBefore;
}
