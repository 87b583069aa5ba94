import { Readable } from 'node:stream';
import { CsvError, parse, type Parser } from 'csv-parse';
import { mapCsvHeader, sniffDelimiter, type CsvColumns } from '../domain/contacts.ts';
import { UploadTooLargeError, ValidationError } from '../domain/errors.ts';

// Reading a contact file: in bounded slices, through a streaming parser (see contacts.ts).

/** Bytes handed to the parser at a time: ~1,500 records of a typical contact list. */
const PARSE_SLICE = 64 * 1024;

/**
 * The file's bytes in slices of at most PARSE_SLICE. Blob streams may deliver the whole file as
 * one chunk, and the parser turns a chunk into records all at once: unsliced, a 45 MB file would
 * sit in memory as a million parsed records however slowly they are consumed. Read through the
 * stream's reader rather than Readable.fromWeb: Yoga hands uploads over as @whatwg-node ponyfill
 * streams, which fromWeb refuses.
 */
export async function* chunksOf(file: CsvSource): AsyncGenerator<Buffer> {
  for await (const value of sourceChunks(file)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    for (let at = 0; at < bytes.length; at += PARSE_SLICE) yield bytes.subarray(at, at + PARSE_SLICE);
  }
}

/** A CSV upload: a GraphQL multipart file, or a request body streamed straight in (POST /imports/…). */
export type CsvSource = Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** The bytes of any CsvSource. Duck-typed: Yoga hands uploads and bodies over as @whatwg-node
 * ponyfills, which are not instances of Node's Blob or ReadableStream. */
function sourceChunks(source: CsvSource): AsyncIterable<Uint8Array> {
  if (typeof (source as Blob).stream === 'function') return readerChunks((source as Blob).stream());
  if (typeof (source as ReadableStream).getReader === 'function') return readerChunks(source as ReadableStream<Uint8Array>);
  return source as AsyncIterable<Uint8Array>;
}

async function* readerChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The bytes of `source`, counted; UploadTooLargeError as soon as they pass `limit`. */
export async function* limitedBytes(source: CsvSource, limit: number, onBytes: (total: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of sourceChunks(source)) {
    total += chunk.byteLength;
    onBytes(total);
    if (total > limit) throw new UploadTooLargeError(limit);
    yield chunk;
  }
}

/** A streaming parser over `chunks`, its delimiter sniffed from the header line. */
export async function csvParser(chunks: AsyncGenerator<Buffer>): Promise<Parser> {
  // Buffer until the header line is complete (64 KB at most: a header is never that long).
  const head: Buffer[] = [];
  let size = 0;
  while (size < 65_536) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    size += next.value.length;
    if (next.value.includes(10) || next.value.includes(13)) break;
  }
  const text = Buffer.concat(head).toString('utf8');
  const delimiter = sniffDelimiter(text.split(/\r?\n|\r/, 1)[0] ?? '');
  async function* replay() {
    yield* head;
    yield* chunks;
  }
  const parser = parse({
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    trim: true,
    info: true,
    // One file may mix line endings (rows pasted from another file): each ends a record.
    record_delimiter: ['\r\n', '\n', '\r'],
    // One record larger than this is a wrong file (or a wrong delimiter), not a contact.
    max_record_size: 65_536,
  });
  const source = Readable.from(replay(), { objectMode: false });
  source.on('error', (error) => parser.destroy(error));
  return source.pipe(parser);
}

/**
 * Streams a CSV upload record by record: the header row is mapped to columns first (a phone
 * column is required); `onRecord` gets each data record with the 1-based line it ends on. An
 * unreadable or empty file is a ValidationError on `file`.
 */
export async function readCsv(file: CsvSource, onRecord: (cells: string[], columns: CsvColumns, line: number) => Promise<void>): Promise<void> {
  const parser = await csvParser(chunksOf(file));
  let columns: CsvColumns | null = null;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        const mapped = mapCsvHeader(record);
        if (!mapped.ok) throw ValidationError.of(['file'], mapped.reason);
        columns = mapped.columns;
        continue;
      }
      // info.lines is the line the record ends on; a record spanning lines (quoted newlines)
      // is reported at its last line, which is where a spreadsheet user finds it anyway.
      if (record.some((cell) => cell.includes('\u0000'))) {
        throw ValidationError.of(['file'], `line ${info.lines}: contains a NUL character (is it a text file?)`);
      }
      await onRecord(record, columns, info.lines);
    }
  } catch (error) {
    if (error instanceof CsvError) throw ValidationError.of(['file'], `not a readable CSV file: ${error.message}`);
    throw error;
  }
  if (!columns) throw ValidationError.of(['file'], 'the file is empty; a header row and at least one contact are required');
}
