/**
 * The campaign page (web/, bundled into web/dist at install time): `GET /` and `/campaigns/:id`
 * answer its index.html, `/assets/*` its hashed scripts and styles. No key is needed to load it —
 * it holds no data; the page itself sends the key the user pastes with every API request.
 * Its Content-Security-Policy allows its own origin only: no inline script, no third party.
 */
import { readFile } from 'node:fs/promises';
import type { Fetch } from './responses.ts';

// From src/files/ and from dist/files/ alike, the build is two folders up.
const PAGE_DIR = new URL('../../web/dist/', import.meta.url);
const ASSET = /^\/assets\/([\w-]+\.(js|css|map))$/;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function isPagePath(pathname: string): boolean {
  return pathname === '/' || /^\/campaigns\/[^/]+$/.test(pathname) || pathname.startsWith('/assets/');
}

export async function pageResponse(request: Request, url: URL, fetchAPI: Pick<Fetch, 'Response'>): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
  const asset = ASSET.exec(url.pathname);
  if (url.pathname.startsWith('/assets/') && !asset) return new fetchAPI.Response('Not found', { status: 404 });
  const file = asset ? `assets/${asset[1]}` : 'index.html';
  let body: Buffer;
  try {
    body = await readFile(new URL(file, PAGE_DIR));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (asset) return new fetchAPI.Response('Not found', { status: 404 });
    return new fetchAPI.Response('The campaign page is not built: run `npm run build:web` (npm install does it).', {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  return new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': asset ? TYPES[asset[2]!]! : 'text/html; charset=utf-8',
      // Asset names carry a content hash; index.html must be re-read to pick up a new build.
      'cache-control': asset ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    },
  });
}
