import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, generateKey, hashKey } from '../src/auth/keys.ts';
import { startServer, WS_UNAUTHORIZED, type RunningServer } from '../src/server.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeLeftovers, makeWsClient, openRawSocket, runOnce } from './helpers/ws.ts';

// A real HTTP + graphql-ws server on a free port; every socket, client and server a test opens
// is disposed in afterAll, newest first.
const leftovers = makeLeftovers();
let t: TestApp;
let org: TestOrg;
let server: RunningServer;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
  leftovers.add(() => server.close());
});
afterAll(async () => {
  await leftovers.disposeAll();
  await t.close();
});

describe('graphql-ws connection_init', () => {
  it.each<[string, () => Record<string, unknown> | undefined]>([
    ['no payload', () => undefined],
    ['no authorization', () => ({})],
    ['an unknown key', () => ({ authorization: `Bearer ${generateKey()}` })],
    ['a key without the Bearer scheme', () => ({ authorization: org.key })],
    ['a non-string authorization', () => ({ authorization: 42 })],
  ])('closes the socket with 4401 for %s', async (_label, payload) => {
    const socket = await openRawSocket(server.url, leftovers);
    socket.send({ type: 'connection_init', ...(payload() === undefined ? {} : { payload: payload() }) });
    expect(await socket.waitForClose()).toMatchObject({ code: WS_UNAUTHORIZED });
  });

  it('closes with 4401 when a subscribe comes before connection_init', async () => {
    const socket = await openRawSocket(server.url, leftovers);
    socket.send({ id: '1', type: 'subscribe', payload: { query: '{ organization { id } }' } });
    expect((await socket.waitForClose()).code).toBe(WS_UNAUTHORIZED);
  });

  it('acknowledges a good key and runs a query over the socket', async () => {
    const socket = await openRawSocket(server.url, leftovers);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${org.key}` } });
    expect(await socket.waitForMessage()).toEqual({ type: 'connection_ack' });
    socket.send({ id: '1', type: 'subscribe', payload: { query: '{ organization { id } }' } });
    expect(await socket.waitForMessage()).toEqual({ id: '1', type: 'next', payload: { data: { organization: { id: org.orgId } } } });
    expect(await socket.waitForMessage()).toEqual({ id: '1', type: 'complete' });
  });
});

describe('graphql-ws operations', () => {
  it('runs queries through the graphql-ws client, scoped to the key’s organisation', async () => {
    const other = await t.makeOrg();
    const mine = makeWsClient(server.url, org.key, leftovers);
    const theirs = makeWsClient(server.url, other.key, leftovers);
    expect(await runOnce(mine, { query: '{ organization { id } }' })).toEqual({ data: { organization: { id: org.orgId } } });
    expect(await runOnce(theirs, { query: '{ organization { id } }' })).toEqual({ data: { organization: { id: other.orgId } } });
  });

  it('reports a syntax error on its operation and keeps the connection', async () => {
    const socket = await openRawSocket(server.url, leftovers);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${org.key}` } });
    expect(await socket.waitForMessage()).toEqual({ type: 'connection_ack' });
    socket.send({ id: 'bad', type: 'subscribe', payload: { query: '{ organization { id ' } });
    expect(await socket.waitForMessage()).toMatchObject({ id: 'bad', type: 'error', payload: [{ message: expect.stringContaining('Syntax Error') }] });
    socket.send({ id: 'unknown-field', type: 'subscribe', payload: { query: '{ nope }' } });
    expect(await socket.waitForMessage()).toMatchObject({ id: 'unknown-field', type: 'error' });
    socket.send({ id: 'good', type: 'subscribe', payload: { query: '{ organization { id } }' } });
    expect(await socket.waitForMessage()).toMatchObject({ id: 'good', type: 'next', payload: { data: { organization: { id: org.orgId } } } });
  });

  it('closes with 4401 on the next operation once the key is revoked', async () => {
    const key = await createKey(t.app.db.prisma, { id: org.orgId }, { name: 'revoked while connected' });
    const socket = await openRawSocket(server.url, leftovers);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } });
    expect(await socket.waitForMessage()).toEqual({ type: 'connection_ack' });
    await t.app.db.prisma.apiKey.update({ where: { hash: hashKey(key) }, data: { revokedAt: new Date() } });
    socket.send({ id: '1', type: 'subscribe', payload: { query: '{ organization { id } }' } });
    expect((await socket.waitForClose()).code).toBe(WS_UNAUTHORIZED);
  });

  it('masks internal errors over the socket too', async () => {
    // Its own app and database: the table is renamed to make a resolver fail for real.
    const broken = await makeTestApp();
    leftovers.add(() => broken.close());
    const brokenOrg = await broken.makeOrg();
    const brokenServer = await startServer(broken.app, { port: 0, host: '127.0.0.1' });
    leftovers.add(() => brokenServer.close());
    await broken.app.db.prisma.$executeRawUnsafe('ALTER TABLE campaign RENAME TO campaign_gone');
    const client = makeWsClient(brokenServer.url, brokenOrg.key, leftovers);
    const result = await runOnce(client, { query: '{ campaigns(first: 1) { totalCount } }' });
    expect(result.errors?.map((e) => e.message)).toEqual(['Unexpected error.']);
    expect(JSON.stringify(result)).not.toMatch(/campaign_gone|relation|prisma|stack/i);
  });

  it('tells connected clients 1001 Going away when the server closes', async () => {
    const own = await startServer(t.app, { port: 0, host: '127.0.0.1' });
    leftovers.add(() => own.close());
    const socket = await openRawSocket(own.url, leftovers);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${org.key}` } });
    expect(await socket.waitForMessage()).toEqual({ type: 'connection_ack' });
    await own.close();
    expect((await socket.waitForClose()).code).toBe(1001);
  });
});
