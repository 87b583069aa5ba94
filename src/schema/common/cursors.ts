import { parsePrismaCursor } from '@pothos/plugin-prisma';
import { GraphQLError } from 'graphql';
import { isUuid } from '../../domain/ids.ts';

const notACursor = (arg: string) =>
  new GraphQLError(`\`${arg}\` is not a cursor of this connection; restart from the first page`, { extensions: { code: 'BAD_USER_INPUT' } });

/**
 * Checks the `after` / `before` of a connection keyed by uuid before Prisma sees them: a
 * malformed cursor, a cursor of a row that does not exist and a cursor of another organisation's
 * row all get the same BAD_USER_INPUT error — never an internal error, and never a different page
 * that would tell "exists elsewhere" from "does not exist". `owned` says whether ids are rows the
 * caller may see (one query, only when a cursor is given).
 */
export async function checkCursors(args: { after?: string | null; before?: string | null }, owned: (ids: string[]) => Promise<number>): Promise<void> {
  const given = (['after', 'before'] as const).filter((arg) => args[arg] != null);
  const ids: string[] = [];
  for (const arg of given) {
    let value: unknown;
    try {
      value = parsePrismaCursor(args[arg]);
    } catch {
      throw notACursor(arg);
    }
    if (typeof value !== 'string' || !isUuid(value)) throw notACursor(arg);
    ids.push(value.toLowerCase());
  }
  if (ids.length && (await owned([...new Set(ids)])) !== new Set(ids).size) throw notACursor(given[0]!);
}
