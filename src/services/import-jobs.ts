/**
 * ImportJob rows: what a CSV upload has done so far. Written outside the import's transaction
 * (which adds the rows all at once, or nothing): created before it, updated while the file
 * streams in, finished after it. On PGlite the import's transaction holds the only connection,
 * so progress (bytes) is written only while the upload is spooled to disk, before that transaction.
 */
import type { App } from '../app.ts';
import type { ImportJob } from '../db/generated/prisma/client.ts';

/** Progress is written at most this often (one UPDATE per second of a long upload). */
const PROGRESS_EVERY_MS = 1000;
/** A RUNNING job not updated for this long was cut off by a crash or restart: nothing was added. */
export const STALE_JOB_MS = 10 * 60_000;

export class ImportJobTracker {
  /** On PGlite: true while no transaction holds the connection (the upload is being spooled). */
  connectionFree = false;
  private lastWrite = Date.now();
  private writing: Promise<unknown> = Promise.resolve();
  private latest = { rowsRead: 0, bytesRead: 0 };
  private timer: NodeJS.Timeout | null = null;
  private finished = false;

  private constructor(
    private readonly app: App,
    readonly id: string,
  ) {}

  static async start(app: App, organizationId: string, campaignId: string): Promise<ImportJobTracker> {
    const job = await app.db.prisma.importJob.create({ data: { organizationId, campaignId }, select: { id: true } });
    return new ImportJobTracker(app, job.id);
  }

  /** Rows and bytes read so far: written at most once a second (the latest values, also when
   * the upload then pauses), never waited for by the import. */
  progress(rowsRead: number, bytesRead: number): void {
    this.latest = { rowsRead, bytesRead };
    if (this.timer || this.finished) return;
    const wait = Math.max(0, this.lastWrite + PROGRESS_EVERY_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.finished || (this.app.db.kind !== 'postgres' && !this.connectionFree)) return;
      this.lastWrite = Date.now();
      this.writing = this.app.db.prisma.importJob
        .updateMany({ where: { id: this.id, status: 'RUNNING' }, data: { ...this.latest, updatedAt: new Date() } })
        .catch((error) => this.app.logger.warn({ err: error, jobId: this.id }, 'could not record import progress'));
    }, wait);
  }

  private finish(): Promise<unknown> {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    return this.writing;
  }

  async succeeded(result: { rowsRead: number; bytesRead: number; added: number; skipped: number }): Promise<void> {
    await this.finish();
    await this.app.db.prisma.importJob.update({
      where: { id: this.id },
      data: { ...result, status: 'SUCCEEDED', updatedAt: new Date(), finishedAt: new Date() },
    });
  }

  async failed(error: unknown, read: { rowsRead: number; bytesRead: number }): Promise<void> {
    await this.finish();
    const message = error instanceof Error ? error.message : String(error);
    await this.app.db.prisma.importJob
      .update({ where: { id: this.id }, data: { ...read, status: 'FAILED', error: message.slice(0, 1000), updatedAt: new Date(), finishedAt: new Date() } })
      .catch((e) => this.app.logger.warn({ err: e, jobId: this.id }, 'could not record a failed import'));
  }
}

/** The status a reader should see: a RUNNING job nobody has updated for STALE_JOB_MS is FAILED. */
export function jobStatus(job: Pick<ImportJob, 'status' | 'updatedAt'>, now = Date.now()): ImportJob['status'] {
  return job.status === 'RUNNING' && now - job.updatedAt.getTime() > STALE_JOB_MS ? 'FAILED' : job.status;
}
