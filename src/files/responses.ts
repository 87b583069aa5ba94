/** Plain HTTP answers of the file routes: JSON problems, and bodies streamed with backpressure. */
import type { Logger } from '../logger.ts';

export type Fetch = { Response: typeof Response; ReadableStream: typeof ReadableStream };

/** An error answer in the GraphQL error shape, for every route outside GraphQL (401, 503, files). */
export function problem(
  fetchAPI: Pick<Fetch, 'Response'>,
  status: number,
  message: string,
  extensions?: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return new fetchAPI.Response(JSON.stringify({ errors: [extensions ? { message, extensions } : { message }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

export async function* nodeChunks(stream: NodeJS.ReadableStream): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
}

/**
 * A response whose body pulls from `chunks` one at a time (backpressure: nothing is read ahead
 * of the client) and ends the generator — and with it the database reads — when the client
 * disconnects.
 */
export function streamed(
  fetchAPI: Fetch,
  request: Request,
  chunks: AsyncGenerator<string | Uint8Array>,
  contentType: string,
  filename: string,
  log: Logger,
  stop = new AbortController(),
): Response {
  const headers = {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (request.method === 'HEAD') {
    void chunks.return(undefined);
    return new fetchAPI.Response(null, { status: 200, headers });
  }
  const encoder = new TextEncoder();
  const body = new fetchAPI.ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
        } catch (error) {
          // Headers are sent: the only way left to say "incomplete" is to break the connection.
          log.error({ err: error, filename }, 'export failed midway; connection broken so the file is not taken as complete');
          controller.error(error);
        }
      },
      async cancel() {
        stop.abort();
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  return new fetchAPI.Response(body, { status: 200, headers });
}
