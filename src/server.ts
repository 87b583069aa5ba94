import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, type ExecutionArgs, type execute as Execute, type subscribe as Subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type Plugin } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { App } from './app.ts';
import { KeyWatch } from './auth/key-watch.ts';
import { bearerKey, type ApiKeyIdentity } from './auth/keys.ts';
import { problem } from './files/responses.ts';
import { fileResponse, isFilePath } from './files/routes.ts';
import { isPagePath, pageResponse } from './files/page.ts';
import { RETELL_WEBHOOK_PATH, retellWebhookResponse } from './files/provider-webhooks.ts';
import { METRICS_PATH, metricsResponse, useMetrics } from './server-metrics.ts';
import { useBodyLimit } from './body-limit.ts';
import { useInputGuard } from './input-guard.ts';
import { useOperationLimits } from './limits.ts';
import { OpenStreams, useKeyRevocation, useSseQuota } from './stream-guards.ts';
import { RequestIds, useRequestIds } from './request-ids.ts';
import { createContext } from './schema/context.ts';
import type { Logger } from './logger.ts';
import { schema } from './schema/index.ts';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** graphql-ws close code for a missing, unknown or revoked key (HTTP 401's twin). */
export const WS_UNAUTHORIZED = 4401;

// A load balancer polls /health every few seconds: an answer after 2 s is as bad as none, and a
// PostgreSQL that accepts connections but never answers must not hang the probe.
const HEALTH_TIMEOUT_MS = 2000;

// Requests in flight get this long to finish on shutdown; orchestrators wait ~30 s before SIGKILL.
const DRAIN_TIMEOUT_MS = 5000;

async function databaseAnswers(app: App): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
  });
  const probe = app.db.prisma.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /health` (200 "ok" when the database answers, else 503) and Bearer authentication: a
 * request without a valid key gets 401 before GraphQL runs. Yoga's GraphiQL plugin runs before
 * this one and answers its HTML page itself (CALLBOARD_GRAPHIQL=1 only); the queries GraphiQL sends come
 * back through here like any other.
 */
function useApiKeyAuth(app: App, identities: WeakMap<Request, ApiKeyIdentity>, requestIds: RequestIds): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname === '/health') {
        const ok = await databaseAnswers(app);
        endResponse(
          new fetchAPI.Response(ok ? 'ok' : 'database unavailable', {
            status: ok ? 200 : 503,
            headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
          }),
        );
        return;
      }
      if (url.pathname === METRICS_PATH) {
        endResponse(await metricsResponse(app, request, fetchAPI));
        return;
      }
      // The campaign page holds no data: it sends the key the user pastes (files/page.ts).
      if (isPagePath(url.pathname)) return endResponse(await pageResponse(request, url, fetchAPI));
      // Signed by the provider instead of carrying a key (files/provider-webhooks.ts).
      if (url.pathname === RETELL_WEBHOOK_PATH) {
        endResponse(await retellWebhookResponse(app, request, fetchAPI));
        return;
      }
      let identity: ApiKeyIdentity | null;
      try {
        identity = await app.keys.authenticate(bearerKey(request.headers.get('authorization')));
      } catch (error) {
        // The key could not be checked (database down): not the caller's fault, and not a 401.
        app.logger.error({ err: error }, 'api key lookup failed');
        endResponse(problem(fetchAPI, 503, 'Service unavailable.', undefined, { 'retry-after': '5' }));
        return;
      }
      if (!identity) {
        endResponse(problem(fetchAPI, 401, 'Unauthorized: send Authorization: Bearer <api key>', undefined, { 'www-authenticate': 'Bearer' }));
        return;
      }
      identities.set(request, identity);
      if (isFilePath(url.pathname)) endResponse(await fileResponse(app, identity, request, url, fetchAPI, requestIds.of(request)));
    },
  };
}

/** Yoga logs through pino; Errors go under `err` so pino records their message and stack. */
function yogaLogger(logger: Logger) {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const err = args.find((a) => a instanceof Error);
      const rest = args.filter((a) => a !== err);
      logger[level]({ err, args: rest.length ? rest : undefined }, 'yoga');
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function createYogaApp(app: App, keyWatch = new KeyWatch(app.db.prisma, app.logger), streams = new OpenStreams()) {
  const identities = new WeakMap<Request, ApiKeyIdentity>();
  const requestIds = new RequestIds();
  return createYoga<{ identity?: ApiKeyIdentity }>({
    schema,
    // Internal errors read "Unexpected error." for clients in every environment (no message,
    // stack or SQL); the log has the details. Typed domain errors are results, not errors.
    maskedErrors: { isDev: false },
    logging: yogaLogger(app.logger),
    // Yoga's own always-200 check would shadow our /health (it matches any URL ending in
    // /health); moved aside, it is a liveness probe that does not touch the database.
    healthCheckEndpoint: '/health/live',
    graphiql: app.config.graphiql ? { title: 'callboard', headers: JSON.stringify({ Authorization: 'Bearer <your api key>' }, null, 2) } : false,
    // Keys travel in a header, never in cookies, so a browser cannot be tricked into sending one;
    // CORS is still off unless origins are listed, and credentials are never allowed.
    cors: app.config.corsOrigins.length > 0 ? { origin: app.config.corsOrigins, credentials: false } : false,

    landingPage: false,
    // File uploads that may be large go to /imports/… (streamed), not through GraphQL. The limit
    // is body-limit.ts's (Content-Length checked, not every body re-streamed).
    maxRequestBodySize: false,
    plugins: [
      useRequestIds(requestIds, app.logger),
      // A "simple" request (a form or multipart post a browser would send cross-site without a
      // preflight) must carry a non-simple header; callboard's clients send Authorization anyway.
      useCSRFPrevention({ requestHeaders: ['authorization', 'x-graphql-yoga-csrf'] }),
      useApiKeyAuth(app, identities, requestIds),
      useMetrics(app.metrics),
      ...useOperationLimits(app.config.limits),
      useInputGuard(),
      useBodyLimit(app.config.maxGraphqlBodyBytes),
      useSseQuota(streams, app.config.limits.subscriptionsPerKey),
      useKeyRevocation(keyWatch),
    ],
    context: ({ request, identity }) => {
      const who = identity ?? identities.get(request);
      // Unreachable: both transports reject unauthenticated requests before execution.
      if (!who) throw new Error('unauthenticated request reached GraphQL');
      return createContext(app, who, requestIds.of(request));
    },
  });
}

type WsExtra = { identity: ApiKeyIdentity; key: string; unwatch?: () => void };

/** HTTP (GraphQL, GraphiQL, SSE, /health) and graphql-ws on one port. */
export async function startServer(app: App, options: { port: number; host: string }): Promise<RunningServer> {
  const keyWatch = new KeyWatch(app.db.prisma, app.logger);
  // A key's subscriptions across all its sockets (and SSE streams) in this process.
  const streams = new OpenStreams();
  const socketsOfKey = streams.sockets;
  const yoga = createYogaApp(app, keyWatch, streams);
  const { subscriptionsPerSocket, subscriptionsPerKey } = app.config.limits;
  const server: Server = createServer(yoga);
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const ws = useServer<Record<string, unknown>, WsExtra>(
    {
      // Close reasons never carry an internal error's message, whatever NODE_ENV says.
      isProd: true,
      async onConnect(ctx) {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const key = bearerKey(typeof header === 'string' ? header : null);
        let identity: ApiKeyIdentity | null;
        try {
          identity = await app.keys.authenticate(key);
        } catch (error) {
          app.logger.error({ err: error }, 'api key lookup failed');
          ctx.extra.socket.close(1011, 'Service unavailable');
          return false;
        }
        if (!identity || !key) {
          // Closing first makes 4401 the code the client sees, not graphql-ws's 4403 for `false`.
          ctx.extra.socket.close(WS_UNAUTHORIZED, 'Unauthorized');
          return false;
        }
        ctx.extra.identity = identity;
        ctx.extra.key = key;
        // A revoked (or expired) key's socket closes with 4401 within a second (auth/key-watch.ts).
        ctx.extra.unwatch = keyWatch.watch(identity.keyId, () => ctx.extra.socket.close(WS_UNAUTHORIZED, 'Unauthorized'));
        let sockets = socketsOfKey.get(identity.keyId);
        if (!sockets) socketsOfKey.set(identity.keyId, (sockets = new Set()));
        sockets.add(ctx);
        return true;
      },
      onClose(ctx) {
        ctx.extra.unwatch?.();
        const keyId = ctx.extra.identity?.keyId;
        const sockets = keyId ? socketsOfKey.get(keyId) : undefined;
        sockets?.delete(ctx);
        if (keyId && sockets?.size === 0) socketsOfKey.delete(keyId);
      },
      async onSubscribe(ctx, _id, params) {
        // Each subscription holds memory and a place in its campaign's stream: a bounded number
        // per socket and per key (counted before anything is awaited: operations sent in one burst count each other).
        const open = (c: { subscriptions: Record<string, unknown> }) => Object.keys(c.subscriptions).length;
        if (open(ctx) > subscriptionsPerSocket) {
          return [
            new GraphQLError(`Too many operations on this connection (at most ${subscriptionsPerSocket}).`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }),
          ];
        }
        if (streams.count(ctx.extra.identity?.keyId ?? '') > subscriptionsPerKey) {
          return [
            new GraphQLError(`Too many operations for this API key (at most ${subscriptionsPerKey}).`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }),
          ];
        }
        // Checked again per operation, so a key revoked while a dashboard stays connected cannot
        // start anything new (one index probe per operation, not per event).
        const identity = await app.keys.authenticate(ctx.extra.key ?? null);
        if (!identity) {
          ctx.extra.socket.close(WS_UNAUTHORIZED, 'Unauthorized');
          return [new GraphQLError('Unauthorized')];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          identity,
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(params.query);
        } catch (error) {
          // A syntax error is the client's: report it on this operation, keep the socket open.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
      // The enveloped execute/subscribe carry Yoga's plugins (error masking included).
      execute: (args: ExecutionArgs) => (args.rootValue as { execute: typeof Execute }).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as { subscribe: typeof Subscribe }).subscribe(args),
    },
    wss,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const untrackStreams = app.metrics.trackStreams(() => streams.totals());
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}${yoga.graphqlEndpoint}`,
    port,
    /** Idempotent: a second call waits for the first. */
    close: () => (closing ??= close()),
  };

  async function close() {
    // Stop accepting, tell WebSocket clients 1001 Going away, let requests in flight finish
    // (a mutation half done when the database closes would fail), then cut what remains.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await ws.dispose();
    keyWatch.stop();
    untrackStreams();
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      closed.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!drained) {
      server.closeAllConnections();
      await closed;
    }
  }
}
