import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ExecutionResult } from 'graphql';
import { createApp, type App } from '../../src/app.ts';
import { createKey } from '../../src/auth/keys.ts';
import { loadConfig } from '../../src/config.ts';
import { createYogaApp } from '../../src/server.ts';
import { makeTestDatabase, type TestDatabase } from './database.ts';

export type Exec = <R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V) => Promise<R>;

export interface TestOrg {
  orgId: string;
  key: string;
  /** Runs an operation over HTTP (yoga.fetch) as this organisation; throws on GraphQL errors. */
  exec: Exec;
  /** Same, returning the raw result (errors included). */
  execRaw: <R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V) => Promise<ExecutionResult<R>>;
}

export interface TestApp {
  app: App;
  database: TestDatabase;
  yoga: ReturnType<typeof createYogaApp>;
  /** A new organisation with an admin key. */
  makeOrg(name?: string): Promise<TestOrg>;
  close(): Promise<void>;
}

let orgCounter = 0;

/** The real stack for one test file: migrated database, App, Yoga; operations go through fetch. */
export async function makeTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const database = await makeTestDatabase();
  const config = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
    REDIS_URL: process.env.REDIS_URL,
    DATABASE_URL: database.url,
    CALLBOARD_SIMULATOR_SPEED: '1000',
    ...env,
  });
  const app = await createApp(config, { db: database.db });
  const yoga = createYogaApp(app);

  async function makeOrg(name = `org-${process.pid}-${++orgCounter}`): Promise<TestOrg> {
    const org = await app.db.prisma.organization.create({ data: { name } });
    const key = await createKey(app.db.prisma, org);
    const executor = buildHTTPExecutor({
      endpoint: 'http://callboard.test/graphql',
      fetch: yoga.fetch,
      headers: { authorization: `Bearer ${key}` },
    });
    const execRaw = async <R, V>(document: TypedDocumentNode<R, V>, variables: V) =>
      (await executor({
        document: document as TypedDocumentNode<R, Record<string, unknown>>,
        variables: variables as Record<string, unknown>,
      })) as ExecutionResult<R>;
    const exec: Exec = async (document, variables) => {
      const result = await execRaw(document, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data!;
    };
    return { orgId: org.id, key, exec, execRaw };
  }

  return {
    app,
    database,
    yoga,
    makeOrg,
    async close() {
      await app.keys.close();
      app.realtime.close();
      await app.pubsub.close();
      await database.drop();
    },
  };
}
