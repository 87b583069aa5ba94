/**
 * An upload written to a temporary file before it is imported. On PGlite the import's
 * transaction holds the only database connection: reading the file from the network inside it
 * would stall every other request for as long as the slowest client takes to upload. Spooled
 * first, the transaction only lasts as long as parsing and inserting. Constant memory: the file
 * streams to disk and back.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type Spooled = { chunks: AsyncIterable<Uint8Array>; dispose(): Promise<void> };

export async function spoolToDisk(source: AsyncIterable<Uint8Array>): Promise<Spooled> {
  const dir = await mkdtemp(path.join(tmpdir(), 'callboard-upload-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'upload.csv');
  try {
    await pipeline(Readable.from(source, { objectMode: false }), createWriteStream(file));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { chunks: createReadStream(file, { highWaterMark: 64 * 1024 }), dispose };
}
