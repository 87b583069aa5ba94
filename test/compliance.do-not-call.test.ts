import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readLedger } from '../src/dialer/providers/simulator-ledger.ts';
import { createKey } from '../src/auth/keys.ts';
import {
  AddDoNotCallNumbersDocument,
  DoNotCallListDocument,
  ImportDoNotCallNumbersDocument,
  PlaceTestCallDocument,
  RemoveDoNotCallNumbersDocument,
  StartCampaignDocument,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addContactsOk, usNumbers } from './helpers/calls.ts';
import { expectExactStats, makeCampaign } from './helpers/campaigns.ts';
import { makeDialableCampaign, makeWorkerPool, waitFor } from './helpers/dialer.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'callboard-dnc-'));
let t: TestApp;
let org: TestOrg;
const pool = makeWorkerPool(() => t);

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterEach(() => pool.stopAll());
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the do-not-call list', () => {
  it('adds numbers (normalised, per-row rejections, reason kept), lists, searches and removes them', async () => {
    const added = await org.exec(AddDoNotCallNumbersDocument, {
      input: { numbers: ['(415) 555-0101', '+1 415 555 0102', 'not a number', '+14155550101'], defaultCountry: 'US', reason: 'asked not to be called' },
    });
    expect(added.addDoNotCallNumbers).toEqual({
      __typename: 'AddDoNotCallNumbersPayload',
      added: 2,
      alreadyListed: 0,
      callsSkipped: 0,
      rejected: [{ index: 2, reason: expect.stringContaining('not a number') }],
    });
    const again = await org.exec(AddDoNotCallNumbersDocument, { input: { numbers: ['+14155550102'] } });
    expect(again.addDoNotCallNumbers).toMatchObject({ added: 0, alreadyListed: 1 });

    const list = (await org.exec(DoNotCallListDocument, { first: 10, search: '555 0101' })).organization.doNotCall;
    expect(list.totalCount).toBe(1);
    expect(list.edges[0]!.node).toMatchObject({ phoneNumber: '+14155550101', reason: 'asked not to be called', source: 'API' });

    const removed = await org.exec(RemoveDoNotCallNumbersDocument, { input: { numbers: ['+14155550101', 'nope'] } });
    expect(removed.removeDoNotCallNumbers).toMatchObject({ removed: 1, rejected: [{ index: 1 }] });
    expect((await org.exec(DoNotCallListDocument, { first: 10 })).organization.doNotCall.totalCount).toBe(1);
  });

  it('is for ADMIN keys: a WRITE key cannot change it', async () => {
    const member = await createKey(t.app.db.prisma, { id: org.orgId }, { scopes: ['WRITE'] });
    const response = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${member}` },
      body: JSON.stringify({ query: print(AddDoNotCallNumbersDocument), variables: { input: { numbers: ['+14155550199'] } } }),
    });
    const body = await response.json();
    expect(body.errors?.[0]?.message).toMatch(/not authorized/i);
    expect(await t.app.db.prisma.doNotCallEntry.count({ where: { organizationId: org.orgId, phoneNumber: '+14155550199' } })).toBe(0);
  });

  it('imports a CSV file of numbers', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: print(ImportDoNotCallNumbersDocument), variables: { input: { file: null, defaultCountry: 'US' } } }));
    form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
    form.append('0', new Blob(['phone;note\r\n(212) 555-0140;x\r\n+12125550141;y\r\nnonsense;z\r\n'], { type: 'text/csv' }), 'dnc.csv');
    const response = await t.yoga.fetch('http://callboard.test/graphql', { method: 'POST', headers: { authorization: `Bearer ${org.key}` }, body: form });
    const body = await response.json();
    expect(body.data.importDoNotCallNumbers).toMatchObject({ __typename: 'ImportDoNotCallNumbersPayload', added: 2, rejected: [{ index: 2 }] });
    const listed = await t.app.db.prisma.doNotCallEntry.findMany({ where: { organizationId: org.orgId, source: 'IMPORT' } });
    expect(listed.map((e) => e.phoneNumber).sort()).toEqual(['+12125550140', '+12125550141']);
  });

  it('skips the waiting calls of listed numbers in every campaign and refuses test calls to them', async () => {
    const numbers = usNumbers(3, 7000);
    const a = await makeCampaign(org, 'first');
    const b = await makeCampaign(org, 'second');
    for (const c of [a, b]) await addContactsOk(org, { campaignId: c.id, contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    await org.exec(StartCampaignDocument, { input: { id: b.id } });
    const added = await org.exec(AddDoNotCallNumbersDocument, { input: { numbers: numbers.slice(0, 2) } });
    expect(added.addDoNotCallNumbers).toMatchObject({ added: 2, callsSkipped: 4 });
    for (const c of [a, b]) {
      const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: c.dbId }, orderBy: { position: 'asc' } });
      expect(calls.map((call) => [call.status, call.outcome])).toEqual([
        ['SKIPPED', 'DO_NOT_CALL'],
        ['SKIPPED', 'DO_NOT_CALL'],
        ['PENDING', null],
      ]);
      await expectExactStats(t, c.dbId);
    }
    const test = await org.exec(PlaceTestCallDocument, { input: { campaignId: a.id, phoneNumber: numbers[0]!, ignoreCallingWindow: true } });
    expect(test.placeTestCall).toMatchObject({ __typename: 'ValidationError', message: expect.stringContaining('do-not-call') });
  });
});

describe('the do-not-call list while a campaign runs', () => {
  it('numbers added while several workers dial them are never dialed after the add: the ledgers show 0 such dials', async () => {
    const runOrg = await t.makeOrg();
    const ledgers = [0, 1, 2].map((i) => path.join(dir, `run-${i}.jsonl`));
    for (const ledgerPath of ledgers) {
      // Calls long enough (2–4 s) that many are waiting while the first ones talk.
      await pool.start({ speed: 60, seed: ledgerPath, ledgerPath, mix: { ANSWERED: 1 }, ringSeconds: [1, 2], talkSeconds: [60, 180] });
    }
    const numbers = usNumbers(60, 8000);
    const campaign = await makeDialableCampaign(runOrg, { contacts: 60, numbers, settings: { maxConcurrentCalls: 6 } });
    const dialedSoFar = async () => (await Promise.all(ledgers.map(readLedger))).flat();
    await waitFor(async () => (await dialedSoFar()).length >= 6, 'the first dials');

    // Every third number: some are talking now, some were dialed already, most are waiting.
    const listed = numbers.filter((_, i) => i % 3 === 0);
    const added = await runOrg.exec(AddDoNotCallNumbersDocument, { input: { numbers: listed } });
    const answeredAt = Date.now();
    expect(added.addDoNotCallNumbers).toMatchObject({ added: 20 });
    const skipped = (added.addDoNotCallNumbers as { callsSkipped: number }).callsSkipped;
    expect(skipped).toBeGreaterThan(0);

    await waitFor(
      async () => (await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.dbId } })).status === 'COMPLETED',
      'the campaign to complete',
      60_000,
    );
    const dials = await dialedSoFar();
    const late = dials.filter((d) => listed.includes(d.to) && Date.parse(d.at) > answeredAt);
    expect(late).toEqual([]);
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId, phoneNumber: { in: listed } } });
    expect(calls.filter((c) => c.status === 'SKIPPED' && c.outcome === 'DO_NOT_CALL')).toHaveLength(skipped);
    expect(calls.every((c) => c.status === 'SKIPPED' || c.attemptCount > 0)).toBe(true);
    await expectExactStats(t, campaign.dbId);
  });
});
