import type { App } from '../app.ts';
import type { ApiKeyIdentity } from '../auth/keys.ts';
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
}

export function createContext(app: App, auth: ApiKeyIdentity): Context {
  return { app, db: app.db, auth, orgId: auth.organizationId, loaders: createLoaders(app.db) };
}
