import { isUuid } from '../../domain/ids.ts';

// Matches no row: a malformed id inside a well-formed global id must read as "not found", not
// reach PostgreSQL as an invalid uuid (a 500).
const NO_ROW = '00000000-0000-0000-0000-000000000000';

/** The database id to look up for a node id decoded by the Relay plugin. */
export function nodeId(id: string): string {
  return isUuid(id) ? id.toLowerCase() : NO_ROW;
}
