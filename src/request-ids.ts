import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from './logger.ts';
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

const isInternal = (error: { extensions?: Record<string, unknown> }) => error.extensions?.code === 'INTERNAL_SERVER_ERROR';

/**
 * Also: an unexpected error is logged with its request id (the stack and SQL stay in the log),
 * and its masked answer ("Unexpected error.") carries `extensions.requestId`, so a client's
 * report leads to that log line.
 */
export function useRequestIds(ids: RequestIds, logger: Logger): Plugin {
  return {
    onRequest({ request }) {
      ids.of(request);
    },
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          const errors = result && 'errors' in result ? (result as ExecutionResult).errors : undefined;
          const unexpected = errors?.filter((e) => !(e.originalError instanceof GraphQLError) && e.originalError && !e.extensions?.code);
          if (!unexpected?.length) return;
          const ctx = args.contextValue as { requestId?: string; log?: Logger };
          for (const e of unexpected)
            (ctx.log ?? logger).error({ err: e.originalError, path: e.path?.join('.'), requestId: ctx.requestId }, 'unexpected error in an operation');
        },
      };
    },
    onResultProcess({ request, result, setResult }) {
      const errors = result && !Array.isArray(result) && 'errors' in result ? (result as ExecutionResult).errors : undefined;
      if (!errors?.some(isInternal)) return;
      const requestId = ids.of(request);
      setResult({
        ...(result as ExecutionResult),
        errors: errors.map((e) =>
          isInternal(e) ? new GraphQLError(e.message, { nodes: e.nodes, path: e.path, extensions: { ...e.extensions, requestId } }) : e,
        ),
      });
    },
    onResponse({ request, response }) {
      response.headers.set('x-request-id', ids.of(request));
    },
  };
}
