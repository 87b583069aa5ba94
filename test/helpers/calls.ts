import { print } from 'graphql';
import { expect } from 'vitest';
import { decodeId } from '../../src/schema/common/ids.ts';
import {
  AddContactsDocument,
  CampaignStatsDocument,
  ImportContactsDocument,
  type AddContactsMutationVariables,
  type ImportContactsMutation,
} from '../generated/operations.ts';
import type { TestApp, TestOrg } from './app.ts';
import { statsFromRows } from './tally.ts';

/** The database uuid inside a Call global id. */
export function callDbId(globalId: string): string {
  const id = decodeId(globalId, 'Call');
  if (!id) throw new Error(`not a Call id: ${globalId}`);
  return id;
}

/** addContacts through the API; throws unless it succeeded. */
export async function addContactsOk(org: TestOrg, input: AddContactsMutationVariables['input']) {
  const result = (await org.exec(AddContactsDocument, { input })).addContacts;
  if (result.__typename !== 'AddContactsPayload') throw new Error(`addContacts: ${JSON.stringify(result)}`);
  return result;
}

/** `count` distinct valid US numbers: +1 415 555 0000 + offset …, E.164. */
export function usNumbers(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+1415555${String(offset + i).padStart(4, '0')}`);
}

/**
 * importContacts as a GraphQL multipart request (operations, map, file) through yoga.fetch —
 * the same bytes a browser's FormData upload sends.
 */
export async function uploadCsv(
  t: TestApp,
  org: TestOrg,
  input: { campaignId: string; csv: string; defaultCountry?: string; filename?: string },
): Promise<{ status: number; body: { data?: ImportContactsMutation; errors?: { message: string }[] } }> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: print(ImportContactsDocument),
      variables: { input: { campaignId: input.campaignId, file: null, defaultCountry: input.defaultCountry } },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.append('0', new Blob([input.csv], { type: 'text/csv' }), input.filename ?? 'contacts.csv');
  const response = await t.yoga.fetch('http://callboard.test/graphql', {
    method: 'POST',
    headers: { authorization: `Bearer ${org.key}` },
    body: form,
  });
  return { status: response.status, body: await response.json() };
}

/** The stats the API serves equal a GROUP BY over the call rows, field by field. */
export async function expectApiStatsExact(t: TestApp, org: TestOrg, campaignGlobalId: string) {
  const served = (await org.exec(CampaignStatsDocument, { id: campaignGlobalId })).campaign!.stats;
  const rows = await statsFromRows(t.app, decodeId(campaignGlobalId, 'Campaign')!);
  const { estimatedCompletionAt: _e, dialedCalls: _d, successfulCalls: _s, ...expected } = rows;
  expect({ ...served }).toEqual(expected);
  return served;
}
