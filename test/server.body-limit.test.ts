/**
 * The GraphQL body limit (body-limit.ts) over real HTTP: a declared size past it is refused before
 * the body is read, a chunked body past it is cut off as it streams, a malformed Content-Length is
 * a 400, and bodies within it go through — without Yoga re-streaming every request.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';

const LIMIT = 4096;
let t: TestApp;
let org: TestOrg;
let server: RunningServer;

beforeAll(async () => {
  t = await makeTestApp({ CALLBOARD_MAX_GRAPHQL_BODY_BYTES: String(LIMIT) });
  org = await t.makeOrg();
  server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
  await t.close();
});

/** A POST to /graphql; `chunks` are written one by one (chunked unless a content-length is given). */
function post(chunks: string[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      server.url,
      { method: 'POST', headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const query = (padding: number) => JSON.stringify({ query: `{ organization { name } }${' '.repeat(padding)}` });

describe('the GraphQL body limit', () => {
  it('lets a body within the limit through, declared or chunked', async () => {
    const body = query(1000);
    const declared = await post([body], { 'content-length': String(Buffer.byteLength(body)) });
    expect(declared.status).toBe(200);
    expect(JSON.parse(declared.body).data.organization.name).toBeTruthy();
    const chunked = await post([body.slice(0, 500), body.slice(500)]);
    expect(chunked.status).toBe(200);
  });

  it('refuses a declared size past the limit with 413', async () => {
    const body = query(LIMIT);
    const response = await post([body], { 'content-length': String(Buffer.byteLength(body)) });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('cuts off a chunked body once it passes the limit, with 413', async () => {
    const body = query(LIMIT * 2);
    const response = await post(Array.from({ length: Math.ceil(body.length / 1000) }, (_, i) => body.slice(i * 1000, (i + 1) * 1000)));
    expect(response.status).toBe(413);
    expect(response.body).toContain('too large');
  });

  it('answers a malformed Content-Length with 400', async () => {
    const response = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/json', 'content-length': '12, 12' },
      body: query(0),
    });
    expect(response.status).toBe(400);
  });
});
