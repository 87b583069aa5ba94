/** A database id: a UUID in its canonical 8-4-4-4-12 hex form (any case). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` can be a row id: checked before it reaches a `::uuid` cast, which would fail the statement. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/**
 * The id clients see for a row: the Relay global id, base64 of "Typename:uuid" (what Pothos'
 * encodeGlobalID writes). Here so that payloads built outside GraphQL — webhooks — carry the
 * same ids as the API.
 */
export function globalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}
