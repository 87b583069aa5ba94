/**
 * The GraphQL request body limit (CALLBOARD_MAX_GRAPHQL_BODY_BYTES), in place of Yoga's own
 * (`maxRequestBodySize: false` in server.ts). Yoga wraps every body in a counting stream and a new
 * Request — an AbortController and a TransformStream per request, ~9 % of a point read's CPU. A
 * body with a valid Content-Length needs none of it: Node's HTTP parser never hands over more bytes
 * than it declares, so checking the header is the whole check. Only a body without one (chunked)
 * is counted as it streams, as Yoga does; either way, past the limit the answer is 413.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () => new GraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });

/** The request with its body counted as it is read: the stream errors once it passes `limit` bytes. */
function counted(request: Request, limit: number, fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream }): Request {
  let read = 0;
  // A native stream needs the native TransformStream (graphql-yoga#4583); a ponyfilled one the ponyfill.
  const Transform = request.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  const body = request.body!.pipeThrough(
    new Transform({
      transform(chunk: Uint8Array, controller) {
        read += chunk.byteLength;
        if (read > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body, duplex: 'half' } as RequestInit);
}

export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared != null) {
        if (!CONTENT_LENGTH.test(declared)) {
          throw new GraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        if (Number(declared) > limit) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => parse(counted(req, limit, fetchAPI as never)));
    },
  };
}
