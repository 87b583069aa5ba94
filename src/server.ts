import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from './app.ts';
import { authenticate, bearerKey, type ApiKeyIdentity } from './auth/keys.ts';
import { createContext } from './context.ts';
import { schema } from './schema/index.ts';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Answers 401 before GraphQL runs when the Bearer key is missing or unknown. */
function useApiKeyAuth(app: App, identities: WeakMap<Request, ApiKeyIdentity>): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname === '/health') {
        const ok = await app.db.prisma.$queryRaw`SELECT 1`.then(
          () => true,
          () => false,
        );
        return endResponse(new fetchAPI.Response(ok ? 'ok' : 'database unavailable', { status: ok ? 200 : 503 }));
      }
      // GraphiQL's HTML page carries no data; the queries it sends are authenticated like any other.
      const wantsGraphiQL = request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
      if (wantsGraphiQL) return;
      const identity = await authenticate(app.db.prisma, bearerKey(request.headers.get('authorization')));
      if (!identity) {
        return endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: 'Unauthorized: send Authorization: Bearer <api key>' }] }), {
            status: 401,
            headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
          }),
        );
      }
      identities.set(request, identity);
    },
  };
}

export function createYogaApp(app: App) {
  const identities = new WeakMap<Request, ApiKeyIdentity>();
  return createYoga<{ identity?: ApiKeyIdentity }>({
    schema,
    // Internal errors are masked for clients in every environment; the log has the details.
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => app.logger.debug({ args }, 'yoga'),
      info: (...args) => app.logger.info({ args }, 'yoga'),
      warn: (...args) => app.logger.warn({ args }, 'yoga'),
      error: (...args) => app.logger.error({ args }, 'yoga'),
    },
    graphiql: app.config.development
      ? { title: 'callboard', headers: JSON.stringify({ Authorization: 'Bearer <your api key>' }, null, 2) }
      : false,
    landingPage: false,
    plugins: [useApiKeyAuth(app, identities)],
    context: ({ request, identity }) => {
      const who = identity ?? identities.get(request);
      // Unreachable: both transports reject unauthenticated requests before execution.
      if (!who) throw new Error('unauthenticated request reached GraphQL');
      return createContext(app, who);
    },
  });
}

/** HTTP (GraphQL, GraphiQL, SSE, /health) and graphql-ws on one port. */
export async function startServer(app: App, options: { port: number; host: string }): Promise<RunningServer> {
  const yoga = createYogaApp(app);
  const server: Server = createServer(yoga);
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const ws = useServer<Record<string, unknown>, { identity: ApiKeyIdentity }>(
    {
      async onConnect(ctx) {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const identity = await authenticate(app.db.prisma, bearerKey(typeof header === 'string' ? header : null));
        if (!identity) {
          ctx.extra.socket.close(4401, 'Unauthorized');
          return false;
        }
        ctx.extra.identity = identity;
        return true;
      },
      async onSubscribe(ctx, _id, params) {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          identity: ctx.extra.identity,
        });
        const document = parse(params.query);
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
      execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
    },
    wss,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}${yoga.graphqlEndpoint}`,
    port,
    async close() {
      await ws.dispose();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
