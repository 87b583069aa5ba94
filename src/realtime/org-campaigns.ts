/**
 * campaignsUpdated: which campaigns of an organisation changed, for a list page that needs one
 * subscription rather than one per campaign.
 *
 * Every change to a campaign bumps its version (status, settings, deletion) or appends to its
 * event log (calls progressing, contacts added: `event_sequence`), in the changing transaction.
 * One watcher per organisation with subscribers in this process reads (id, version,
 * event_sequence) of the organisation's campaigns every `intervalMs` — one indexed query whatever
 * the number of subscribers — and hands each subscriber the ids that moved, coalesced (a campaign
 * whose calls finish by the hundred is sent at most once per interval, with its latest state). A
 * campaign created after subscribing is new, hence changed. Nothing is lost across processes or
 * a Redis outage: the database is the only source.
 */
import type { Database } from '../db/client.ts';
import { POLL_SQL_TAG } from '../db/sql-literals.ts';
import type { Logger } from '../logger.ts';

type Row = { id: string; version: number; event_sequence: number };

class Subscriber implements AsyncIterableIterator<string> {
  private readonly pending = new Set<string>();
  private wake: (() => void) | null = null;
  private done = false;

  constructor(private readonly onClose: () => void) {}

  push(ids: Iterable<string>): void {
    for (const id of ids) this.pending.add(id);
    this.wake?.();
  }

  async next(): Promise<IteratorResult<string>> {
    while (!this.done && this.pending.size === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.done) return { done: true, value: undefined };
    const [id] = this.pending;
    this.pending.delete(id!);
    return { done: false, value: id! };
  }

  async return(): Promise<IteratorResult<string>> {
    if (!this.done) {
      this.done = true;
      this.wake?.();
      this.onClose();
    }
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

class OrgWatch {
  readonly subscribers = new Set<Subscriber>();
  private seen: Map<string, string> | null = null;
  private readonly timer: NodeJS.Timeout;
  private polling = false;
  private closed = false;
  /** The first poll's picture: a subscriber gets the changes after it. */
  readonly ready: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly orgId: string,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.ready = this.firstPoll();
  }

  private async firstPoll(): Promise<void> {
    // A first poll that failed (the database was away) is repeated by the timer: wait for one that did not.
    while (!this.seen && !this.closed) {
      await this.poll();
      if (!this.seen) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await this.db.prisma.$queryRawUnsafe<Row[]>(
        `/* ${POLL_SQL_TAG} */ SELECT id::text AS id, version, event_sequence FROM campaign WHERE organization_id = $1::uuid`,
        this.orgId,
      );
      const now = new Map(rows.map((r) => [r.id, `${r.version}:${r.event_sequence}`]));
      if (this.seen) {
        const changed = [...now].filter(([id, mark]) => this.seen!.get(id) !== mark).map(([id]) => id);
        if (changed.length) for (const s of this.subscribers) s.push(changed);
      }
      this.seen = now;
    } catch (error) {
      this.logger.warn({ err: error, organizationId: this.orgId }, 'campaignsUpdated poll failed; trying again');
    } finally {
      this.polling = false;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const s of [...this.subscribers]) void s.return();
  }
}

export class OrgCampaignWatch {
  private readonly orgs = new Map<string, OrgWatch>();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
  ) {}

  /** Ids of the organisation's campaigns as they change, from the moment this returns. */
  async subscribe(orgId: string): Promise<AsyncIterableIterator<string>> {
    let watch = this.orgs.get(orgId);
    if (!watch) this.orgs.set(orgId, (watch = new OrgWatch(this.db, orgId, this.logger, this.intervalMs)));
    const subscriber = new Subscriber(() => {
      watch.subscribers.delete(subscriber);
      if (watch.subscribers.size === 0 && this.orgs.get(orgId) === watch) {
        watch.close();
        this.orgs.delete(orgId);
      }
    });
    watch.subscribers.add(subscriber);
    await watch.ready;
    return subscriber;
  }

  /** Whether this process watches the organisation (it has subscribers). */
  watching(orgId: string): boolean {
    return this.orgs.has(orgId);
  }

  close(): void {
    for (const watch of this.orgs.values()) watch.close();
    this.orgs.clear();
  }
}
