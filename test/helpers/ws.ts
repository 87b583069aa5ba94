import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** What a test opened and must close: disposed in afterAll with disposeAll(). */
export type Dispose = () => Promise<void> | void;

export function makeLeftovers() {
  const leftovers: Dispose[] = [];
  return {
    add(dispose: Dispose) {
      leftovers.push(dispose);
    },
    /** Disposes everything, newest first. */
    async disposeAll() {
      while (leftovers.length) await leftovers.pop()!();
    },
  };
}
export type Leftovers = ReturnType<typeof makeLeftovers>;

export const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';

/** Bounds every wait: a test fails with a message instead of hanging until the test timeout. */
const WAIT_MS = 10_000;

/**
 * A raw graphql-transport-ws socket whose messages and close event are queued as they arrive, so
 * a test awaits "the next message" or "the close" without racing the server (graphql-ws's
 * tests/utils/tclient.ts pattern).
 */
export interface RawSocket {
  ws: WebSocket;
  send(message: Record<string, unknown>): void;
  waitForMessage(timeoutMs?: number): Promise<Record<string, unknown>>;
  waitForClose(timeoutMs?: number): Promise<{ code: number; reason: string }>;
}

export async function openRawSocket(httpUrl: string, leftovers: Leftovers): Promise<RawSocket> {
  const ws = new WebSocket(httpUrl.replace(/^http/, 'ws'), GRAPHQL_TRANSPORT_WS);
  leftovers.add(() => {
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  });
  const messages: Record<string, unknown>[] = [];
  let closed: { code: number; reason: string } | null = null;
  let wake: (() => void) | null = null;
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Record<string, unknown>);
    wake?.();
  });
  ws.on('close', (code, reason) => {
    closed = { code, reason: String(reason) };
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  async function until<T>(take: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  return {
    ws,
    send: (message) => ws.send(JSON.stringify(message)),
    waitForMessage: (timeoutMs = WAIT_MS) => until(() => messages.shift() ?? (closed ? failClosed(closed) : undefined), 'a message', timeoutMs),
    waitForClose: (timeoutMs = WAIT_MS) => until(() => closed ?? undefined, 'the socket to close', timeoutMs),
  };
}

function failClosed(closed: { code: number; reason: string }): never {
  throw new Error(`socket closed (${closed.code} ${closed.reason}) while waiting for a message`);
}

/** A graphql-ws client authenticated with `key` (as a browser dashboard would connect). */
export function makeWsClient(httpUrl: string, key: string, leftovers: Leftovers): Client {
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: true,
  });
  leftovers.add(() => client.dispose());
  return client;
}

/** Runs one operation (query or subscription's first event) over graphql-ws and returns its result. */
export function runOnce<T = Record<string, unknown>>(
  client: Client,
  payload: { query: string; variables?: Record<string, unknown> },
  timeoutMs = WAIT_MS,
): Promise<FormattedExecutionResult<T, unknown>> {
  return new Promise((resolve, reject) => {
    let result: FormattedExecutionResult<T, unknown> | undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${payload.query}`));
    }, timeoutMs);
    const unsubscribe = client.subscribe<T>(payload, {
      next: (value) => {
        result = value;
      },
      error: (error) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
      },
      complete: () => {
        clearTimeout(timer);
        if (result) resolve(result);
        else reject(new Error('completed without a result'));
      },
    });
  });
}
