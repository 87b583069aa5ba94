import { decodeGlobalID } from '@pothos/plugin-relay';
import { NotFoundError } from '../../domain/errors.ts';
import { globalId, isUuid } from '../../domain/ids.ts';

/**
 * The database id inside a Relay global id of `typename`, or null when the id is malformed or of
 * another type. Callers turn null into NotFound: a bad id is bad input, never a 500.
 */
export function decodeId(globalId: string, typename: string): string | null {
  try {
    const { typename: t, id } = decodeGlobalID(globalId);
    return t === typename && isUuid(id) ? id.toLowerCase() : null;
  } catch {
    return null;
  }
}

export function encodeId(typename: string, id: string): string {
  return globalId(typename, id);
}

/** The database id inside a global id of `typename`; NotFound (a typed error) when there is none. */
export function requireId(globalId: string, typename: string): string {
  const id = decodeId(globalId, typename);
  if (!id) throw new NotFoundError(typename, globalId);
  return id;
}

/** The database id inside a global id of any type, or null when it holds none. */
export function decodeGlobalIdOrNull(globalId: string): string | null {
  try {
    const { id } = decodeGlobalID(globalId);
    return isUuid(id) ? id.toLowerCase() : null;
  } catch {
    return null;
  }
}
