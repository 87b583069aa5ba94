/**
 * The API's side of GET /metrics (src/metrics.ts): the route itself, and an envelop plugin
 * counting operations, their duration and their errors — and giving each a span (tracing.ts),
 * active while it executes so its database queries nest under it.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { App } from './app.ts';
import { problem, type Fetch } from './files/responses.ts';
import type { Metrics } from './metrics.ts';
import { tracer, withSpan } from './tracing.ts';

export const METRICS_PATH = '/metrics';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus text format. With CALLBOARD_METRICS_TOKEN set, only `Bearer <that token>` opens it (API keys do not). */
export async function metricsResponse(app: App, request: Request, fetchAPI: Pick<Fetch, 'Response'>): Promise<Response> {
  const token = app.config.metricsToken;
  if (token) {
    const given = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
    if (!sameToken(given, token)) {
      return problem(
        fetchAPI,
        401,
        'Unauthorized: send Authorization: Bearer <CALLBOARD_METRICS_TOKEN>',
        { code: 'UNAUTHENTICATED' },
        { 'www-authenticate': 'Bearer' },
      );
    }
  }
  const { registry } = app.metrics;
  return new fetchAPI.Response(await registry.metrics(), { status: 200, headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
}

function countErrors(metrics: Metrics, errors: readonly (Error | GraphQLError)[] | undefined): void {
  for (const error of errors ?? []) {
    const code = (error as GraphQLError).extensions?.code;
    metrics.errors.inc({ code: typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : 'INTERNAL' });
  }
}

export function useMetrics(metrics: Metrics): Plugin {
  return {
    onValidate() {
      // Yoga adds the code to these errors later; they are validation errors by construction.
      return ({ result }) => {
        if (result.length) metrics.errors.inc({ code: 'GRAPHQL_VALIDATION_FAILED' }, result.length);
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? 'query';
      const labels = { operation: metrics.operationLabel(args.operationName ?? operation?.name?.value), type };
      metrics.operations.inc(labels);
      const stop = metrics.operationSeconds.startTimer(labels);
      const ctx = args.contextValue as { requestId?: string; orgId?: string };
      const span = tracer.startSpan(`graphql.${type} ${labels.operation}`, {
        attributes: {
          'graphql.operation.type': type,
          'graphql.operation.name': labels.operation,
          'callboard.request.id': ctx.requestId ?? '',
          'callboard.organization.id': ctx.orgId ?? '',
        },
      });
      setExecuteFn((executeArgs) => withSpan(span, () => executeFn(executeArgs)));
      return {
        onExecuteDone({ result }) {
          stop();
          const errors = result && 'errors' in result ? result.errors : undefined;
          countErrors(metrics, errors);
          if (errors?.length) span.setAttribute('graphql.errors', errors.length);
          span.end();
        },
      };
    },
    onSubscribe({ args }) {
      const labels = {
        operation: metrics.operationLabel(args.operationName ?? getOperationAST(args.document, args.operationName)?.name?.value),
        type: 'subscription',
      };
      metrics.operations.inc(labels);
    },
  };
}

/**
 * `callboard worker` serves no API; with CALLBOARD_WORKER_METRICS_PORT it answers GET /metrics
 * (same token rule) on that port, so each worker process can be scraped. Returns the close.
 */
export async function startMetricsServer(app: App, port: number, host: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (req.method !== 'GET' || url.pathname !== METRICS_PATH) {
      res.writeHead(404).end();
      return;
    }
    const request = new Request(url, { headers: req.headers.authorization ? { authorization: req.headers.authorization } : {} });
    void metricsResponse(app, request, { Response }).then(async (answer) => {
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(await answer.text());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
