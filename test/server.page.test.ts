/** The campaign page's routes (src/files/page.ts): served without a key, nothing else is. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const get = (path: string, init: RequestInit = {}) => t.yoga.fetch(`http://callboard.test${path}`, init);

describe('GET / and /campaigns/:id', () => {
  it('answer the page (no key needed: it holds no data) with a same-origin-only CSP', async () => {
    for (const path of ['/', '/campaigns/Q2FtcGFpZ246MQ']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const html = await response.text();
      expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
      const asset = await get(script);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
  });

  it('serves nothing but built assets, and only to GET and HEAD', async () => {
    // The URL resolves to /package.json, outside the page: the API's 401, not a file.
    expect((await get('/assets/../package.json')).status).toBe(401);
    expect((await get('/assets/%2e%2e%2fpackage.json')).status).toBe(404);
    expect((await get('/assets/missing-123.js')).status).toBe(404);
    expect((await get('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(405);
    expect((await get('/', { method: 'HEAD' })).status).toBe(200);
  });

  it('leaves the API closed: GraphQL, exports and other paths still need a key', async () => {
    expect(
      (await get('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ organization { id } }"}' })).status,
    ).toBe(401);
    expect((await get('/campaigns')).status).toBe(401);
    expect((await get('/campaigns/x/calls')).status).toBe(401);
  });
});
