import type { App } from '../app.ts';
import { randomUUID } from 'node:crypto';
import type { ApiKeyIdentity } from '../auth/keys.ts';
import type { Logger } from '../logger.ts';
import type { Actor } from '../services/audit.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/**
 * GraphQL context. Every operation is authenticated: the transport answers 401 (HTTP) or closes
 * with 4401 (WebSocket) before a request without a valid key reaches GraphQL, so resolvers always
 * have an organisation to scope by.
 */
export interface Context {
  app: App;
  db: App['db'];
  auth: ApiKeyIdentity;
  /** The caller's organisation id: every query and mutation is scoped to it. */
  orgId: string;
  loaders: Loaders;
  /** Who the audit log names for the changes this operation makes. */
  actor: Actor;
  /** This request's id (x-request-id): in its log lines, its audit rows and its masked errors. */
  requestId: string;
  /** The app's logger with this request's id and organisation on every line. */
  log: Logger;
}

/** A client's own request id (x-request-id: 1–100 safe characters), else a new one. */
export function requestIdOf(header: string | null | undefined): string {
  return header && /^[A-Za-z0-9._:-]{1,100}$/.test(header) ? header : randomUUID();
}

export function createContext(app: App, auth: ApiKeyIdentity, requestId: string): Context {
  return {
    app,
    db: app.db,
    auth,
    orgId: auth.organizationId,
    loaders: createLoaders(app.db),
    actor: { keyId: auth.keyId, name: auth.name, requestId },
    requestId,
    log: app.logger.child({ requestId, orgId: auth.organizationId }),
  };
}
