/**
 * API keys checked once, then remembered: a request with a known key costs a hash and a map
 * lookup instead of a database round trip. "A revoked key stops at once" still holds:
 *   - the process that revokes forgets the key before the mutation answers;
 *   - every other process hears it on the bus ('apikey:revoked') and forgets it;
 *   - and, whatever happens to the bus (Redis down, a message lost), every SWEEP_MS one query asks
 *     which remembered keys no longer authenticate (revoked, expired, deleted — by any process or
 *     by hand in the database) and forgets them, so no process serves a dead key longer than that.
 * Expiry is checked on every use. Unknown keys are never remembered (each costs one probe).
 */
import type { PrismaClient } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { type ApiKeyIdentity, deadKeys, hashKey, lookupKey, touch } from './keys.ts';

/** The bus, as this cache uses it (the App's pub/sub). */
export type RevocationBus = {
  publish(topic: 'apikey:revoked', keyId: string): void;
  subscribe(topic: 'apikey:revoked'): AsyncIterable<string>;
};

const SWEEP_MS = 500;
/** Past this many keys the cache starts over (a flood of distinct valid keys is not expected). */
const MAX_KEYS = 10_000;

type Entry = { identity: ApiKeyIdentity; expiresAt: number | null };

export class ApiKeyCache {
  private readonly byHash = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;
  private listening: AsyncIterator<string> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly bus: RevocationBus,
    private readonly logger: Logger,
  ) {
    this.listen();
  }

  async authenticate(key: string | null, now = new Date()): Promise<ApiKeyIdentity | null> {
    if (!key || key.length > 200) return null;
    const hash = hashKey(key);
    const hit = this.byHash.get(hash);
    if (hit) {
      if (hit.expiresAt === null || hit.expiresAt > now.getTime()) {
        touch(this.prisma, hit.identity.keyId, null, now);
        return hit.identity;
      }
      this.byHash.delete(hash);
    }
    const found = await lookupKey(this.prisma, key, now);
    if (!found) return null;
    if (this.byHash.size >= MAX_KEYS) this.byHash.clear();
    this.byHash.set(hash, { identity: found.identity, expiresAt: found.expiresAt?.getTime() ?? null });
    this.timer ??= setInterval(() => void this.sweep(), SWEEP_MS);
    return found.identity;
  }

  /** After a revocation committed: forget the key here, and tell every other process. */
  revoked(keyId: string): void {
    this.forget(new Set([keyId]));
    this.bus.publish('apikey:revoked', keyId);
  }

  /** Before the bus closes: the UNSUBSCRIBE must be sent while the connection is still open. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const listening = this.listening;
    this.listening = null;
    this.byHash.clear();
    await listening?.return?.();
  }

  private forget(keyIds: Set<string>): void {
    for (const [hash, entry] of this.byHash) if (keyIds.has(entry.identity.keyId)) this.byHash.delete(hash);
    if (this.byHash.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private listen(): void {
    const iterator = this.bus.subscribe('apikey:revoked')[Symbol.asyncIterator]();
    this.listening = iterator;
    void (async () => {
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          this.forget(new Set([next.value]));
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'api key revocations: bus subscription ended; the sweep still applies them');
      }
    })();
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.byHash.size === 0) return;
    this.sweeping = true;
    try {
      const keyIds = [...new Set([...this.byHash.values()].map((e) => e.identity.keyId))];
      const dead = await deadKeys(this.prisma, keyIds);
      if (dead.size) this.forget(dead);
    } catch (error) {
      // Cannot tell: forget everything rather than trust what may be stale.
      this.byHash.clear();
      this.logger.warn({ err: error }, 'api key sweep failed; the cache was emptied');
    } finally {
      this.sweeping = false;
    }
  }
}
