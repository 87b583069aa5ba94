import type { Plugin } from 'graphql-yoga';
import { requestIdOf } from './schema/context.ts';

/**
 * One id per HTTP request — the client's `x-request-id` when it is a sane token, else a new
 * UUID — given to the GraphQL context (the audit log records it), to the file routes, and sent
 * back in the response's `x-request-id`, so a client's report and the server's records meet.
 * Over graphql-ws every operation gets its own (the socket's upgrade request is shared).
 */
export class RequestIds {
  private readonly ids = new WeakMap<object, string>();

  /** Over HTTP a Fetch Request; over graphql-ws Node's IncomingMessage, or nothing. */
  of(request: Request | { headers?: unknown } | undefined): string {
    const fetchRequest = typeof (request as Request | undefined)?.headers?.get === 'function' ? (request as Request) : null;
    if (!fetchRequest) return requestIdOf(null);
    let id = this.ids.get(fetchRequest);
    if (!id) this.ids.set(fetchRequest, (id = requestIdOf(fetchRequest.headers.get('x-request-id'))));
    return id;
  }
}

export function useRequestIds(ids: RequestIds): Plugin {
  return {
    onRequest({ request }) {
      ids.of(request);
    },
    onResponse({ request, response }) {
      response.headers.set('x-request-id', ids.of(request));
    },
  };
}
