import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import type { App } from '../../src/app.ts';
import type { CallStatus, Prisma } from '../../src/db/generated/prisma/client.ts';
import type { CampaignStreamHub } from '../../src/realtime/hub.ts';
import type { CallboardPubSub } from '../../src/realtime/pubsub.ts';
import { appendEvent, publishEvents } from '../../src/realtime/event-log.ts';
import { makeCampaign } from './campaigns.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { makeTestApp, type TestApp, type TestOrg } from './app.ts';

export interface LiveServer {
  t: TestApp;
  org: TestOrg;
  server: RunningServer;
  leftovers: Leftovers;
}

/**
 * Registers the file's hooks: one app, organisation and real HTTP + WebSocket server on port 0
 * before all tests; afterwards its clients (leftovers), the server and the app are closed.
 * The fields are set once beforeAll has run.
 */
export function useLiveServer(): LiveServer {
  const live = { leftovers: new Leftovers() } as LiveServer;
  beforeAll(async () => {
    live.t = await makeTestApp();
    live.org = await live.t.makeOrg();
    live.server = await startServer(live.t.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await live.leftovers.dispose();
    await live.server?.close();
    await live.t?.close();
  });
  return live;
}

/** Every wait in these tests is bounded: a missing message fails the test instead of hanging it. */
export const DEADLINE_MS = 15_000;

/** Things to close in afterAll, last opened first (clients before servers before apps). */
export class Leftovers {
  private items: (() => Promise<void> | void)[] = [];
  add<T>(item: T, dispose: (item: T) => Promise<void> | void): T {
    this.items.push(() => dispose(item));
    return item;
  }
  async dispose() {
    const items = this.items.reverse();
    this.items = [];
    for (const dispose of items) await dispose();
  }
}

/** A graphql-ws client authenticated as `key`, against a server started with startServer(). */
export function makeWsClient(url: string, key: string, leftovers: Leftovers): Client {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: true,
  });
  return leftovers.add(client, (c) => c.dispose());
}

/**
 * One subscription's results, queued as they arrive: `next()` waits for the next one (bounded),
 * like graphql-ws' own tests' waitForMessage.
 */
export class Received<R> {
  readonly results: ExecutionResult<R>[] = [];
  completed = false;
  error: unknown = null;
  private read = 0;
  private waiters: (() => void)[] = [];

  push(result: ExecutionResult<R>) {
    this.results.push(result);
    this.notify();
  }

  end(error: unknown = null) {
    this.completed = true;
    this.error = error;
    this.notify();
  }

  /** The next result not read yet; rejects after `ms`. */
  async next(ms = DEADLINE_MS): Promise<ExecutionResult<R>> {
    await this.until(() => this.results.length > this.read || this.completed, ms, 'the next result');
    if (this.results.length > this.read) return this.results[this.read++]!;
    throw new Error(`subscription ended instead (${this.error ? String(this.error) : 'complete'})`);
  }

  /** Data of the next result; fails on GraphQL errors. */
  async nextData(ms = DEADLINE_MS): Promise<R> {
    const result = await this.next(ms);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data!;
  }

  /** Data of the next `count` results. */
  async take(count: number, ms = DEADLINE_MS): Promise<R[]> {
    const out: R[] = [];
    for (let i = 0; i < count; i++) out.push(await this.nextData(ms));
    return out;
  }

  /** Waits (bounded) until `done()` holds; woken by every result that arrives. */
  async until(done: () => boolean, ms = DEADLINE_MS, what = 'a condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Reads data until `predicate` holds for one; returns every datum read. */
  async readUntil(predicate: (data: R) => boolean, ms = DEADLINE_MS): Promise<R[]> {
    const deadline = Date.now() + ms;
    const out: R[] = [];
    for (;;) {
      const data = await this.nextData(Math.max(1, deadline - Date.now()));
      out.push(data);
      if (predicate(data)) return out;
    }
  }

  /** Results that arrived and were not read yet. */
  get unread() {
    return this.results.length - this.read;
  }

  private notify() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export interface TestSubscription<R> {
  received: Received<R>;
  dispose(): void;
}

/** Subscribes over graphql-ws; the subscription is disposed with `leftovers` unless earlier. */
export function subscribeWs<R, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<R, V>,
  variables: V,
  leftovers: Leftovers,
): TestSubscription<R> {
  const received = new Received<R>();
  const unsubscribe = client.subscribe<R>(
    { query: print(document), variables },
    {
      next: (result) => received.push(result as ExecutionResult<R>),
      error: (error) => received.end(error ?? 'error'),
      complete: () => received.end(),
    },
  );
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    unsubscribe();
  };
  leftovers.add(null, dispose);
  return { received, dispose };
}

/**
 * Subscribes over SSE through Yoga (`Accept: text/event-stream`): the same operation, a plain
 * HTTP POST whose response streams `event: next` / `data: …` frames.
 */
export async function subscribeSse<R, V extends Record<string, unknown>>(
  fetchFn: (input: string, init: RequestInit) => Promise<Response>,
  url: string,
  key: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
  leftovers: Leftovers,
): Promise<TestSubscription<R> & { response: Response }> {
  const controller = new AbortController();
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: print(document), variables }),
    signal: controller.signal,
  });
  const received = new Received<R>();
  const reader = response.body!.getReader();
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    void reader.cancel().catch(() => undefined);
    controller.abort();
  };
  leftovers.add(null, dispose);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = frame.split('\n');
          const event = lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (event === 'next') received.push(JSON.parse(data) as ExecutionResult<R>);
          if (event === 'complete') received.end();
        }
      }
      received.end();
    } catch (error) {
      received.end(disposed ? null : error);
    }
  })();
  return { received, dispose, response };
}

/** Polls `condition` until true, or fails after `ms` (never a fixed sleep). */
export async function eventually(condition: () => boolean | Promise<boolean>, ms = DEADLINE_MS, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Waits until `count` subscriptions of the campaign are started on the server — their starting
 * point fixed, so every later commit reaches them (graphql-ws acknowledges no subscription) —
 * and the bus delivers to this process, so a test's first change cannot race the subscribe and
 * takes the path the test means (bus, gap fill or poll) rather than a slower fallback.
 */
export async function subscribersReady(app: App, campaignId: string, count: number) {
  const hub = app.realtime;
  await eventually(() => (hub.channelStats(campaignId)?.started ?? 0) >= count, DEADLINE_MS, `${count} subscribers of ${campaignId}`);
  await busReady(app, campaignId);
}

/**
 * With Redis, SUBSCRIBE completes asynchronously: publish probes (sequence 0, which every
 * channel ignores) until this process's channel hears one. In-process, the first one is heard.
 */
export function busReady(app: App, campaignId: string, publisher: App = app) {
  return probeBus(app.realtime, publisher.pubsub, campaignId);
}

export async function probeBus(hub: CampaignStreamHub, pubsub: CallboardPubSub, campaignId: string) {
  const before = hub.channelStats(campaignId)?.busMessages ?? 0;
  await eventually(
    () => {
      pubsub.publish('campaign:event', campaignId, { campaignId, sequence: 0, kind: 'PROBE', callId: null, callStatus: null });
      return (hub.channelStats(campaignId)?.busMessages ?? 0) > before;
    },
    DEADLINE_MS,
    'the bus to reach this process',
  );
}

let phoneCounter = 0;

/** A DRAFT campaign (through the API) with `calls` PENDING contacts (straight into the table). */
export async function makeCampaignWithCalls(t: TestApp, org: TestOrg, calls: number, name = 'Live dashboard') {
  const { id, dbId } = await makeCampaign(org, name);
  await t.app.db.prisma.call.createMany({
    data: Array.from({ length: calls }, (_, i) => ({
      campaignId: dbId,
      name: `Contact ${i + 1}`,
      position: i,
      phoneNumber: `+1415556${String(1000 + (++phoneCounter % 9000))}`,
    })),
  });
  const rows = await t.app.db.prisma.call.findMany({ where: { campaignId: dbId }, orderBy: { position: 'asc' }, select: { id: true } });
  return { id, dbId, callIds: rows.map((r) => r.id) };
}

/**
 * Changes one call row and appends CALL_UPDATED in the same transaction, then publishes after
 * commit — the way the dialer records a call's progress. `publish: false` simulates a publish
 * lost between commit and the bus (a crash, a Redis hiccup).
 */
export async function transitionCall(app: App, callId: string, data: Prisma.CallUpdateInput & { status: CallStatus }, options: { publish?: boolean } = {}) {
  const event = await app.db.prisma.$transaction(async (tx) => {
    const call = await tx.call.update({ where: { id: callId }, data, select: { id: true, campaignId: true, status: true } });
    return appendEvent(tx, call.campaignId, 'CALL_UPDATED', { id: call.id, status: call.status });
  });
  if (options.publish !== false) publishEvents(app.pubsub, [event]);
  return event;
}

/** Appends a campaign-level event (no row change) without publishing it: a lost publish. */
export async function appendUnpublished(app: App, campaignId: string, kind = 'CAMPAIGN_UPDATED') {
  return app.db.prisma.$transaction((tx) => appendEvent(tx, campaignId, kind));
}
