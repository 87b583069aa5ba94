/**
 * The calls of an export as CSV (one column per variable, RFC 4180 quoting by csv-stringify) or
 * JSON Lines (one object per call): text chunks, one per batch of rows.
 */
import { stringify } from 'csv-stringify/sync';
import { variablesObject } from '../domain/contacts.ts';
import { encodeId } from '../schema/common/ids.ts';
import type { ExportCampaign, ExportRow } from './call-rows.ts';

export const CSV_COLUMNS = [
  'campaign',
  'name',
  'phone',
  'status',
  'outcome',
  'attempts',
  'processed_at',
  'duration_seconds',
  'connected',
  'summary',
  'recording_url',
] as const;

/** Excel and LibreOffice run a cell that starts like a formula: a contact named "=HYPERLINK(…)"
 * must stay text. Numbers ("+14155550100", "-3") are left alone. */
function spreadsheetSafe(value: string): string {
  if (/^[=@\t\r]/.test(value) || (/^[+-]/.test(value) && !/^[+-][\d\s().-]*$/.test(value))) return `'${value}`;
  return value;
}

function variableText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A variable column's header: its name, unless that is a fixed column's ("variables.name" then). */
const variableHeader = (key: string) => ((CSV_COLUMNS as readonly string[]).includes(key) ? `variables.${key}` : key);

export async function* csvChunks(
  batches: AsyncIterable<ExportRow[]>,
  campaigns: readonly ExportCampaign[],
  variables: readonly string[],
  options: { bom: boolean },
): AsyncGenerator<string> {
  const names = new Map(campaigns.map((c) => [c.id, c.name]));
  // The BOM makes Excel read the file as UTF-8 (non-Latin names) rather than the local code page.
  yield (options.bom ? '\uFEFF' : '') + stringify([[...CSV_COLUMNS, ...variables.map(variableHeader)]], { record_delimiter: 'windows' });
  for await (const rows of batches) {
    const records = rows.map((row) => {
      const vars = variablesObject(row.variables);
      return [
        names.get(row.campaign_id) ?? '',
        row.name,
        row.phone_number,
        row.status,
        row.outcome ?? '',
        String(row.attempt_count),
        row.processed_at?.toISOString() ?? '',
        String(row.duration_seconds),
        row.connected ? 'true' : 'false',
        row.summary ?? '',
        row.recording_url ?? '', // the last attempt's (Retell records; the simulator does not)
        ...variables.map((key) => variableText(vars[key])),
      ].map(spreadsheetSafe);
    });
    yield stringify(records, { record_delimiter: 'windows' });
  }
}

export async function* jsonLinesChunks(batches: AsyncIterable<ExportRow[]>, campaigns: readonly ExportCampaign[]): AsyncGenerator<string> {
  const names = new Map(campaigns.map((c) => [c.id, c.name]));
  for await (const rows of batches) {
    yield rows
      .map((row) =>
        JSON.stringify({
          id: encodeId('Call', row.id),
          campaignId: encodeId('Campaign', row.campaign_id),
          campaign: names.get(row.campaign_id) ?? null,
          name: row.name,
          phoneNumber: row.phone_number,
          status: row.status,
          outcome: row.outcome,
          attempts: row.attempt_count,
          processedAt: row.processed_at?.toISOString() ?? null,
          durationSeconds: row.duration_seconds,
          connected: row.connected,
          summary: row.summary,
          recordingUrl: row.recording_url,
          variables: variablesObject(row.variables),
        }),
      )
      .map((line) => `${line}\n`)
      .join('');
  }
}
