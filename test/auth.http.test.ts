import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerKey, createKey, ensureBootstrapKey, generateKey, hashKey } from '../src/auth/keys.ts';
import { globalId } from '../src/domain/ids.ts';
import { AuthOrganizationDocument, CreateCampaignDocument, RevokeApiKeyDocument } from './generated/operations.ts';
import { waitFor } from './helpers/dialer.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

const ENDPOINT = 'http://callboard.test/graphql';

/** POSTs `{ organization { id } }` with exactly these headers. */
async function post(headers: Record<string, string>) {
  const response = await t.yoga.fetch(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ organization { id name } }' }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

function expectUnauthorized(result: Awaited<ReturnType<typeof post>>) {
  expect(result.status).toBe(401);
  expect(result.headers.get('www-authenticate')).toBe('Bearer');
  expect(result.body.data).toBeUndefined();
  expect(result.body).toEqual({ errors: [{ message: expect.stringMatching(/^Unauthorized/) }] });
}

describe('HTTP authentication', () => {
  it('answers a request without a key with 401 and no data', async () => {
    expectUnauthorized(await post({}));
  });

  it.each([
    ['another scheme', (key: string) => `Basic ${key}`],
    ['no scheme', (key: string) => key],
    ['an empty Bearer', () => 'Bearer '],
    ['two tokens', (key: string) => `Bearer ${key} extra`],
    ['a key of 10,000 characters', () => `Bearer ${'x'.repeat(10_000)}`],
  ])('answers a malformed Authorization header (%s) with 401', async (_label, header) => {
    expectUnauthorized(await post({ authorization: header(org.key) }));
  });

  it('answers an unknown key with 401', async () => {
    expectUnauthorized(await post({ authorization: `Bearer ${generateKey()}` }));
  });

  it('answers a key revoked through the API with 401 on its next request, while the organisation’s other keys keep working', async () => {
    const dbOrg = { id: org.orgId };
    const key = await createKey(t.app.db.prisma, dbOrg, { name: 'to revoke' });
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(200); // now remembered by the key cache
    const { id } = await t.app.db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } });
    const revoked = await org.exec(RevokeApiKeyDocument, { input: { id: globalId('ApiKey', id) } });
    expect(revoked.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
    expectUnauthorized(await post({ authorization: `Bearer ${key}` }));
    expect((await post({ authorization: `Bearer ${org.key}` })).status).toBe(200);
  });

  it('answers a key revoked by hand in the database with 401 within the cache’s sweep (half a second)', async () => {
    const key = await createKey(t.app.db.prisma, { id: org.orgId }, { name: 'revoked in SQL' });
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(200);
    await t.app.db.prisma.apiKey.update({ where: { hash: hashKey(key) }, data: { revokedAt: new Date() } });
    await waitFor(async () => (await post({ authorization: `Bearer ${key}` })).status === 401, 'the revoked key to be refused', 5000);
    expect((await post({ authorization: `Bearer ${org.key}` })).status).toBe(200);
  });

  it('refuses a remembered key once it expires, without asking the database', async () => {
    const key = await createKey(t.app.db.prisma, { id: org.orgId }, { name: 'short-lived' });
    await t.app.db.prisma.apiKey.update({ where: { hash: hashKey(key) }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    expect(await t.app.keys.authenticate(key)).not.toBeNull();
    expect(await t.app.keys.authenticate(key, new Date(Date.now() + 61_000))).toBeNull();
  });

  it('answers a GET query without a key with 401 too', async () => {
    const response = await t.yoga.fetch(`${ENDPOINT}?query=${encodeURIComponent('{ organization { id } }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).not.toHaveProperty('data');
  });

  it('accepts a valid key, the scheme in any case (RFC 7235)', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const result = await post({ authorization: `${scheme} ${org.key}` });
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ data: { organization: { id: org.orgId, name: expect.any(String) } } });
    }
  });

  it('parses only `Bearer <one token>`', () => {
    expect(bearerKey('Bearer abc')).toBe('abc');
    expect(bearerKey('  Bearer abc')).toBeNull();
    expect(bearerKey('Bearer  abc  ')).toBe('abc');
    expect(bearerKey(null)).toBeNull();
  });
});

describe('scopes', () => {
  // Decision: WRITE keys run campaigns like ADMIN keys; only organisation administration
  // (keys, minutes, limits, the do-not-call list) needs ADMIN. Both are scoped to their organisation.
  it('lets a WRITE key and an ADMIN key query and mutate their organisation', async () => {
    const member = await createKey(t.app.db.prisma, { id: org.orgId }, { scopes: ['WRITE'] });
    for (const key of [member, org.key]) {
      const headers = { authorization: `Bearer ${key}` };
      const read = await t.yoga.fetch(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ organization { id } }' }),
      });
      expect(await read.json()).toEqual({ data: { organization: { id: org.orgId } } });
    }
    const rows = await t.app.db.prisma.apiKey.findMany({ where: { organizationId: org.orgId }, select: { scopes: true } });
    expect(new Set(rows.flatMap((r) => r.scopes))).toEqual(new Set(['ADMIN', 'WRITE']));
    // A mutation through the typed executor (ADMIN) — and the same one as WRITE below.
    const created = await org.exec(CreateCampaignDocument, { input: { name: 'as admin' } });
    expect(created.createCampaign.__typename).toBe('CreateCampaignPayload');
    const asMember = await t.yoga.fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${member}` },
      body: JSON.stringify({ query: 'mutation { createCampaign(input: { name: "as member" }) { __typename } }' }),
    });
    expect(await asMember.json()).toEqual({ data: { createCampaign: { __typename: 'CreateCampaignPayload' } } });
  });
});

describe('key storage', () => {
  it('stores only a sha256 of the key and a short prefix, never the key itself', async () => {
    const key = await createKey(t.app.db.prisma, { id: org.orgId }, { name: 'storage check' });
    const rows = await t.app.db.prisma.$queryRaw<{ row: string }[]>`SELECT to_jsonb(k)::text AS row FROM api_key k`;
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) expect(row).not.toContain(key.slice(10));
    const stored = await t.app.db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } });
    expect(stored.hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(stored.prefix).toBe(key.slice(0, 10));
    expect(key).toMatch(/^cb_[A-Za-z0-9_-]{43}$/);
  });
});

describe('CALLBOARD_BOOTSTRAP_KEY', () => {
  it('gives the default organisation an admin key with exactly that value, idempotently', async () => {
    const key = 'bootstrap-key-for-tests-0123456789';
    await ensureBootstrapKey(t.app.db.prisma, key);
    await ensureBootstrapKey(t.app.db.prisma, key);
    const rows = await t.app.db.prisma.apiKey.findMany({ where: { hash: hashKey(key) }, include: { organization: true } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ scopes: ['ADMIN'], revokedAt: null, organization: { name: 'default' } });
    // An operator's key may be short: only 4 of its characters are kept in clear.
    expect(rows[0]!.prefix).toBe(key.slice(0, 4));
    const result = await post({ authorization: `Bearer ${key}` });
    expect(result.body).toEqual({ data: { organization: { id: rows[0]!.organizationId, name: 'default' } } });
  });

  it('scopes a bootstrap key to the default organisation only', async () => {
    const key = 'bootstrap-key-for-tests-0123456789';
    await ensureBootstrapKey(t.app.db.prisma, key);
    const mine = await org.exec(AuthOrganizationDocument, {});
    const theirs = await post({ authorization: `Bearer ${key}` });
    expect((theirs.body.data as { organization: { id: string } }).organization.id).not.toBe(mine.organization.id);
  });
});
