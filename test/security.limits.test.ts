import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/schema/common/ids.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addContactsOk, usNumbers } from './helpers/calls.ts';
import { makeCampaign } from './helpers/campaigns.ts';
import { makeLeftovers, openRawSocket } from './helpers/ws.ts';

// The findings: one nested query took 6.4 s and 0.8 GB (depth 6: out of memory), 1000 aliases
// ran for 7.5 s, `nodes` with 100k ids added 255 MB, 300 subscriptions on one socket were
// accepted. Each is refused now before any resolver runs.
const leftovers = makeLeftovers();
let t: TestApp;
let org: TestOrg;
let campaignId: string;
let server: RunningServer;

beforeAll(async () => {
  t = await makeTestApp({ CALLBOARD_MAX_SUBSCRIPTIONS_PER_SOCKET: '5', CALLBOARD_MAX_SUBSCRIPTIONS_PER_KEY: '8' });
  org = await t.makeOrg();
  const c = await makeCampaign(org, 'limits');
  campaignId = c.id;
  await addContactsOk(org, { campaignId, contacts: usNumbers(5, 4200).map((phoneNumber) => ({ phoneNumber })) });
  server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
  leftovers.add(() => server.close());
});
afterAll(async () => {
  await leftovers.disposeAll();
  await t.close();
});

/** Posts an operation; returns the body and the SQL statements that touched campaign data meanwhile. */
async function post(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const statements: string[] = [];
  t.app.db.onQuery((sql) => {
    if (/"(campaign|call|call_attempt|campaign_call_tally)"|\b(campaign|call_attempt)\b/.test(sql) && !/api_key/.test(sql)) statements.push(sql);
  });
  try {
    const response = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}`, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: await response.json(), statements };
  } finally {
    t.app.db.onQuery(null);
  }
}

const nested = (depth: number): string => {
  let inner = 'id';
  for (let i = 0; i < depth; i++) inner = `calls(first: 100) { edges { node { campaign { ${inner} } } } }`;
  return `query($id: ID!) { campaign(id: $id) { ${inner} } }`;
};

describe('operation limits', () => {
  it('refuses the nested connection query (complexity) without reading anything', async () => {
    const { status, body, statements } = await post(nested(3), { id: campaignId });
    expect(status).toBe(200);
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(/Operation refused: (complexity|depth)/), extensions: { code: 'COST_LIMIT' } });
    expect(statements).toEqual([]);
  });

  it('refuses a depth beyond the limit even when every page is small', async () => {
    let inner = 'id';
    for (let i = 0; i < 8; i++) inner = `calls(first: 1) { edges { node { campaign { ${inner} } } } }`;
    const { body, statements } = await post(`query($id: ID!) { campaign(id: $id) { ${inner} } }`, { id: campaignId });
    expect(body.errors[0].message).toMatch(/depth \d+ exceeds the limit of 12/);
    expect(statements).toEqual([]);
  });

  it('refuses 1000 aliases of a costly field, and 40 aliases of a cheap one', async () => {
    const costly = Array.from({ length: 1000 }, (_, i) => `a${i}: campaign(id: $id) { calls(first: 100) { edges { node { attempts { transcript } } } } }`).join(
      ' ',
    );
    const refused = await post(`query($id: ID!) { ${costly} }`, { id: campaignId });
    expect(refused.body.errors?.[0]?.message).toMatch(/token limit|alias/i);
    expect(refused.statements).toEqual([]);
    const cheap = Array.from({ length: 40 }, (_, i) => `a${i}: organization { id }`).join(' ');
    const aliased = await post(`{ ${cheap} }`);
    expect(aliased.body.errors?.[0]?.message).toMatch(/aliases/i);
  });

  it('refuses nodes(ids) with 100,000 ids', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => encodeId('Call', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
    const { body, statements } = await post('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'COST_LIMIT' } });
    expect(statements).toEqual([]);
  });

  it('a cheap operation hidden behind operationName is judged by the operation that runs', async () => {
    const query = `query Cheap { organization { id } } ${nested(3).replace('query(', 'query Costly(')}`;
    const response = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
      body: JSON.stringify({ query, variables: { id: campaignId }, operationName: 'Costly' }),
    });
    expect((await response.json()).errors[0].extensions.code).toBe('COST_LIMIT');
  });

  it('lets a dashboard query through and reports its cost when asked (x-callboard-cost: 1)', async () => {
    const query = `query($id: ID!) { campaign(id: $id) { name stats { total pending completed failed }
      calls(first: 100) { totalCount edges { node { name phoneNumber status outcome attempts { outcome transcript summary } } } } } }`;
    const { body } = await post(query, { id: campaignId }, { 'x-callboard-cost': '1' });
    expect(body.errors).toBeUndefined();
    expect(body.data.campaign.calls.totalCount).toBe(5);
    expect(body.extensions.cost).toMatchObject({ complexity: expect.any(Number), depth: expect.any(Number), limits: { complexity: 25_000, depth: 12 } });
    expect(body.extensions.cost.complexity).toBeLessThanOrEqual(25_000);
    const plain = await post(query, { id: campaignId });
    expect(plain.body.extensions?.cost).toBeUndefined();
  });
});

describe('subscriptions per socket and per key', () => {
  const subscribe = (socket: Awaited<ReturnType<typeof openRawSocket>>, id: string) =>
    socket.send({
      id,
      type: 'subscribe',
      payload: { query: 'subscription($id: ID!) { campaignEvents(campaignId: $id) { sequence } }', variables: { id: campaignId } },
    });

  it('refuses the subscription beyond the socket’s limit, and beyond the key’s across sockets', async () => {
    const first = await openRawSocket(server.url, leftovers);
    first.send({ type: 'connection_init', payload: { authorization: `Bearer ${org.key}` } });
    expect(await first.waitForMessage()).toEqual({ type: 'connection_ack' });
    for (let i = 1; i <= 5; i++) subscribe(first, String(i));
    subscribe(first, '6');
    expect(await first.waitForMessage()).toMatchObject({ id: '6', type: 'error', payload: [{ message: expect.stringContaining('at most 5') }] });

    const second = await openRawSocket(server.url, leftovers);
    second.send({ type: 'connection_init', payload: { authorization: `Bearer ${org.key}` } });
    expect(await second.waitForMessage()).toEqual({ type: 'connection_ack' });
    for (let i = 1; i <= 3; i++) subscribe(second, String(i));
    subscribe(second, '4');
    expect(await second.waitForMessage()).toMatchObject({
      id: '4',
      type: 'error',
      payload: [{ message: expect.stringContaining('this API key (at most 8)') }],
    });

    // SSE streams on the same server count toward the same per-key limit.
    const sse = await fetch(server.url, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${org.key}` },
      body: JSON.stringify({ query: 'subscription($id: ID!) { campaignEvents(campaignId: $id) { sequence } }', variables: { id: campaignId } }),
    });
    expect(await sse.text()).toContain('TOO_MANY_SUBSCRIPTIONS');
  });
});
