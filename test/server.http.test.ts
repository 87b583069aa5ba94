import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createKey } from '../src/auth/keys.ts';
import { loadConfig } from '../src/config.ts';
import { createYogaApp } from '../src/server.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeTestDatabase } from './helpers/database.ts';

const BASE = 'http://callboard.test';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

/** An App with a database of its own, for tests that break the database on purpose. */
async function makeDisposableApp() {
  const database = await makeTestDatabase();
  const app = await createApp(loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', NODE_ENV: 'test' }), { db: database.db });
  const org = await app.db.prisma.organization.create({ data: { name: 'disposable' } });
  const key = await createKey(app.db.prisma, org);
  return { app, yoga: createYogaApp(app), key, database, close: () => app.pubsub.close() };
}

function graphql(yoga: TestApp['yoga'], key: string, query: string) {
  return yoga.fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
}

describe('GET /health', () => {
  it('answers 200 "ok" without a key while the database answers', async () => {
    const response = await t.yoga.fetch(`${BASE}/health`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
  });

  it('answers 503 once the database is gone, and then so does GraphQL (no 401, no leak)', async () => {
    const d = await makeDisposableApp();
    try {
      expect((await d.yoga.fetch(`${BASE}/health`)).status).toBe(200);
      // PGlite: closed. PostgreSQL: closed and its database dropped (Prisma would reconnect).
      await d.database.drop();
      const health = await d.yoga.fetch(`${BASE}/health`);
      expect(health.status).toBe(503);
      expect(await health.text()).toBe('database unavailable');
      // The key cannot be checked: that is the service's failure (503), not the caller's (401).
      const response = await graphql(d.yoga, d.key, '{ organization { id } }');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ errors: [{ message: 'Service unavailable.' }] });
    } finally {
      await d.close();
    }
  });

  it('keeps Yoga’s liveness probe apart at /health/live', async () => {
    expect((await t.yoga.fetch(`${BASE}/health/live`)).status).toBe(200);
  });
});

describe('GraphiQL', () => {
  it('is served on GET text/html only with CALLBOARD_GRAPHIQL=1 (not because NODE_ENV is unset)', async () => {
    const dev = await makeTestApp({ CALLBOARD_GRAPHIQL: '1' });
    try {
      const page = await dev.yoga.fetch(`${BASE}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<title>callboard</title>');
      // The queries GraphiQL sends need a key like any other.
      const query = await dev.yoga.fetch(`${BASE}/graphql?query=${encodeURIComponent('{ organization { id } }')}`, {
        headers: { accept: 'application/json' },
      });
      expect(query.status).toBe(401);
    } finally {
      await dev.close();
    }
    const page = await t.yoga.fetch(`${BASE}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).not.toContain('text/html');
    const defaults = await makeTestApp({ NODE_ENV: undefined });
    try {
      expect((await defaults.yoga.fetch(`${BASE}/graphql`, { headers: { accept: 'text/html' } })).status).toBe(401);
    } finally {
      await defaults.close();
    }
  });
});

describe('web defaults', () => {
  it('does not echo an Origin unless it is listed (CORS off by default), and never allows credentials', async () => {
    const preflight = await t.yoga.fetch(`${BASE}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const listed = await makeTestApp({ CALLBOARD_CORS_ORIGINS: 'https://app.example.com' });
    try {
      const ok = await listed.yoga.fetch(`${BASE}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(ok.headers.get('access-control-allow-credentials')).not.toBe('true');
      const evil = await listed.yoga.fetch(`${BASE}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(evil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    } finally {
      await listed.close();
    }
  });
});

describe('error masking', () => {
  it('answers an internal error with "Unexpected error." and no message, stack or SQL', async () => {
    const d = await makeDisposableApp();
    try {
      // A real database failure inside a resolver: the table the campaign list reads is gone.
      await d.app.db.prisma.$executeRawUnsafe('ALTER TABLE campaign RENAME TO campaign_gone');
      const response = await graphql(d.yoga, d.key, '{ campaigns(first: 5) { totalCount edges { node { id } } } }');
      const text = await response.text();
      const body = JSON.parse(text) as { errors: Array<Record<string, unknown>>; data?: unknown };
      expect(body.errors.length).toBeGreaterThan(0);
      for (const error of body.errors) {
        expect(error.message).toBe('Unexpected error.');
        for (const key of Object.keys(error)) expect(['message', 'locations', 'path', 'extensions']).toContain(key);
        // The request id leads to the server's log line with the real error.
        expect(error.extensions ?? {}).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: response.headers.get('x-request-id') });
      }
      expect(text).not.toMatch(/campaign_gone|relation|prisma|stack|select|\.ts:/i);
    } finally {
      await d.close();
      await d.database.drop();
    }
  });

  it('still answers expected failures as typed results, not masked errors', async () => {
    const response = await graphql(
      t.yoga,
      org.key,
      'mutation { startCampaign(input: { id: "Q2FtcGFpZ246MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw" }) { __typename ... on Error { message } } }',
    );
    expect(await response.json()).toEqual({ data: { startCampaign: { __typename: 'NotFound', message: expect.any(String) } } });
  });
});
