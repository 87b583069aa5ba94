/**
 * What keeps open subscriptions in bounds, over SSE and WebSocket alike: a key's streams end when
 * the key stops authenticating (auth/key-watch.ts), and a key holds a bounded number of them.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { KeyWatch } from './auth/key-watch.ts';

/**
 * Wraps a subscription's result so that `onEnd` runs exactly once when the stream ends, however
 * it ends (the source finishes, the client goes away, an error); `end()` ends it from outside.
 */
function withEnd<T extends object>(result: T, onEnd: () => void): { stream: T; end: () => void } | null {
  if (!(Symbol.asyncIterator in result)) return null;
  const source = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const stream = {
    next: async () => {
      const step = await source.next();
      if (step.done) finish();
      return step;
    },
    return: async (value?: unknown) => {
      finish();
      return (await source.return?.(value)) ?? { done: true as const, value: undefined };
    },
    throw: async (error?: unknown) => {
      finish();
      if (source.throw) return source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return { stream: stream as unknown as T, end: () => void stream.return() };
}

/** Ends every subscription (SSE or WebSocket) of a key as soon as the key stops authenticating. */
export function useKeyRevocation(watch: KeyWatch): Plugin {
  return {
    onSubscribe({ args }) {
      const keyId = (args.contextValue as { auth?: { keyId: string } }).auth?.keyId;
      if (!keyId) return;
      return {
        onSubscribeResult({ result, setResult }) {
          let unwatch = () => {};
          const wrapped = withEnd(result, () => unwatch());
          if (!wrapped) return;
          unwatch = watch.watch(keyId, wrapped.end);
          setResult(wrapped.stream);
        },
      };
    },
  };
}

/**
 * Open subscriptions per API key in this process: WebSocket ones (counted from their sockets,
 * synchronously, by server.ts) and SSE ones (one HTTP request each, counted here).
 */
export class OpenStreams {
  readonly sockets = new Map<string, Set<{ subscriptions: Record<string, unknown> }>>();
  private readonly sse = new Map<string, number>();

  count(keyId: string): number {
    let n = this.sse.get(keyId) ?? 0;
    for (const socket of this.sockets.get(keyId) ?? []) n += Object.keys(socket.subscriptions).length;
    return n;
  }

  /** Open graphql-ws connections and subscriptions (WebSocket and SSE), for the metrics. */
  totals(): { sockets: number; subscriptions: number } {
    let sockets = 0;
    let subscriptions = 0;
    for (const set of this.sockets.values()) {
      sockets += set.size;
      for (const socket of set) subscriptions += Object.keys(socket.subscriptions).length;
    }
    for (const n of this.sse.values()) subscriptions += n;
    return { sockets, subscriptions };
  }

  /** Takes an SSE slot for the key; returns its release (idempotent), or null when the key is at its limit. */
  acquireSse(keyId: string, limit: number): (() => void) | null {
    if (this.count(keyId) >= limit) return null;
    this.sse.set(keyId, (this.sse.get(keyId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.sse.get(keyId) ?? 1) - 1;
      if (left > 0) this.sse.set(keyId, left);
      else this.sse.delete(keyId);
    };
  }
}

/** Caps a key's SSE subscriptions together with its WebSocket ones (server.ts caps those). */
export function useSseQuota(streams: OpenStreams, limit: number): Plugin {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as { socket?: unknown; auth?: { keyId: string } };
      if (ctx.socket || !ctx.auth) return; // graphql-ws: counted per socket
      const release = streams.acquireSse(ctx.auth.keyId, limit);
      if (!release) {
        setResultAndStopExecution({
          errors: [new GraphQLError(`Too many subscriptions for this API key (at most ${limit}).`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })],
        });
        return;
      }
      return {
        onSubscribeResult({ result, setResult }) {
          const wrapped = withEnd(result, release);
          if (!wrapped) return release();
          setResult(wrapped.stream);
        },
      };
    },
  };
}
