import type { PrismaClient } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { deadKeys } from './keys.ts';

/**
 * Keeps the promise "a revoked key stops at once": every request authenticates against the
 * database (so the next one gets 401), and what stays open — WebSocket connections, SSE
 * subscriptions — is watched here. Every SWEEP_MS, while anything is watched, one query asks
 * which of the watched keys no longer authenticate (revoked, expired or deleted by any process,
 * the CLI included), and their streams are ended. No bus message is needed, so a revocation
 * made while Redis is down is honoured all the same.
 */
const SWEEP_MS = 500; // closed within a second of the revocation: half of it, plus the query

export class KeyWatch {
  private readonly watchers = new Map<string, Set<() => void>>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
  ) {}

  /** Calls `onDead` once when the key stops authenticating; returns a function that stops watching. */
  watch(keyId: string, onDead: () => void): () => void {
    let set = this.watchers.get(keyId);
    if (!set) this.watchers.set(keyId, (set = new Set()));
    set.add(onDead);
    this.timer ??= setInterval(() => void this.sweep(), SWEEP_MS);
    return () => {
      set.delete(onDead);
      if (set.size === 0 && this.watchers.get(keyId) === set) this.watchers.delete(keyId);
      if (this.watchers.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.watchers.size === 0) return;
    this.sweeping = true;
    try {
      for (const keyId of await deadKeys(this.prisma, [...this.watchers.keys()])) {
        const callbacks = [...(this.watchers.get(keyId) ?? [])];
        this.watchers.delete(keyId);
        for (const onDead of callbacks) onDead();
      }
      if (this.watchers.size === 0) this.stop();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not check open streams’ API keys; will try again');
    } finally {
      this.sweeping = false;
    }
  }
}
