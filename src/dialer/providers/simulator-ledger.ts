import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

// The simulator's ledger file: one JSON line per accepted dial, fsynced before the dial resolves,
// shared by every instance (process) that uses the same path (see simulator.ts).

/** One accepted dial, as written to the ledger. Holds only what recomputing the result needs. */
export type LedgerEntry = {
  providerCallId: string;
  attemptId: string;
  callId: string | null;
  to: string;
  /** ISO instant the dial was accepted. */
  at: string;
  agent: string;
  /** The script line the agent opens with, variables already filled in. */
  opener: string;
  contact: string | null;
};

/** Every well-formed entry of a ledger file, in order; [] if it does not exist. A torn last line
 * (a process killed mid-write) is skipped: that dial never resolved, so nobody relies on it. */
export async function readLedger(ledgerPath: string): Promise<LedgerEntry[]> {
  let text: string;
  try {
    text = await readFile(ledgerPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseLines(text.split('\n'));
}

function parseLines(lines: string[]): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as LedgerEntry;
      if (typeof e.attemptId === 'string' && typeof e.providerCallId === 'string' && typeof e.at === 'string') out.push(e);
    } catch {
      // torn write: ignore
    }
  }
  return out;
}

/** One ledger file: durable appends, and reads of what others appended since the last read. */
export class LedgerFile {
  private handle: Promise<FileHandle> | null = null;
  private appendQueue: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private appending: Promise<void> | null = null;
  private tail = { offset: 0, rest: Buffer.alloc(0), queue: Promise.resolve() as Promise<unknown> };

  constructor(private readonly ledgerPath: string) {}

  append(entry: LedgerEntry): Promise<void> {
    return this.appendDurably(`${JSON.stringify(entry)}\n`);
  }

  async close(): Promise<void> {
    // A ledger that never opened (bad path) has nothing to close; its dials already failed.
    if (this.handle)
      await this.handle.then(
        (fh) => fh.close(),
        () => undefined,
      );
  }

  /**
   * Appends whole lines and resolves once they are on disk: a crash after "accepted" can never
   * lose the record of the call. Group commit: dials arriving while a datasync runs share the
   * next write() + datasync (one fsync per dial made a 500-call campaign wait seconds on the
   * disk). One write() per batch of whole lines: O_APPEND keeps them whole between processes.
   */
  private appendDurably(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.appendQueue.push({ line, resolve, reject });
      if (!this.appending) this.appending = this.flushAppends().finally(() => (this.appending = null));
    });
  }

  private async flushAppends(): Promise<void> {
    const fh = await this.openFile().catch((error) => {
      for (const w of this.appendQueue.splice(0)) w.reject(error);
      return null;
    });
    if (!fh) return;
    while (this.appendQueue.length > 0) {
      const batch = this.appendQueue.splice(0);
      try {
        await fh.write(batch.map((w) => w.line).join(''));
        await fh.datasync();
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
  }

  private openFile(): Promise<FileHandle> {
    this.handle ??= (async () => {
      await mkdir(path.dirname(this.ledgerPath), { recursive: true });
      return open(this.ledgerPath, 'a');
    })();
    return this.handle;
  }

  /** Reads ledger lines appended (by anyone) since the last refresh. Serialised so two lookups
   * never parse the same bytes twice; a partial last line waits for the next refresh. */
  readNew(): Promise<LedgerEntry[]> {
    const run = async (): Promise<LedgerEntry[]> => {
      let fh: FileHandle;
      try {
        fh = await open(this.ledgerPath, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      try {
        const { size } = await fh.stat();
        if (size <= this.tail.offset) return [];
        const buf = Buffer.alloc(size - this.tail.offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.tail.offset);
        this.tail.offset += bytesRead;
        const data = Buffer.concat([this.tail.rest, buf.subarray(0, bytesRead)]);
        const lastNewline = data.lastIndexOf(0x0a);
        this.tail.rest = Buffer.from(data.subarray(lastNewline + 1));
        return parseLines(
          data
            .subarray(0, lastNewline + 1)
            .toString('utf8')
            .split('\n'),
        );
      } finally {
        await fh.close();
      }
    };
    const next = this.tail.queue.then(run);
    this.tail.queue = next.catch(() => undefined);
    return next;
  }
}
