import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueCalls } from '../src/dialer/sql/claim-due-calls.ts';
import { localDateTime } from '../src/domain/calling-window.ts';
import { encodeId } from '../src/schema/common/ids.ts';
import { CallTimezoneDocument, PlaceTestCallDocument, StartCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addContactsOk } from './helpers/calls.ts';
import { makeCampaign } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;
beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t?.close());

const ALL_DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
const localHour = (zone: string, at: Date) => {
  const text = localDateTime(zone, at);
  return Number(text.slice(11, 13)) + Number(text.slice(14, 16)) / 60;
};

// The finding: a New York campaign, contacts without a zone column, everything scheduled for
// 13:00 UTC — 05:00 in San Francisco, 03:00 in Honolulu, 04:00 in Anchorage, 22:00 in Tokyo,
// 00:00 in Sydney.
const CITIES = {
  'San Francisco': '+14155552671',
  Honolulu: '+18085550123',
  Anchorage: '+19075550123',
  Tokyo: '+81312345678',
  Sydney: '+61212345678',
  London: '+442079460958',
  'New York': '+12125550199',
};

describe('the recipient’s zone comes from the number', () => {
  it('at 13:00 UTC only the numbers whose local time is inside 08:00–21:00 are claimed, each with its evidence; the others wait for a local time inside it', async () => {
    const c = await makeCampaign(org, 'New York recall', {
      timezone: 'America/New_York',
      callingWindow: { days: [...ALL_DAYS], start: '00:00', end: '24:00' },
    });
    await addContactsOk(org, { campaignId: c.id, contacts: Object.entries(CITIES).map(([name, phoneNumber]) => ({ name, phoneNumber })) });
    await org.exec(StartCampaignDocument, { input: { id: c.id } });

    const now = new Date('2026-01-14T13:00:00Z'); // a Wednesday in (northern) winter
    const result = await claimDueCalls(t.app, c.dbId, { workerId: 'compliance-test', leaseMs: 60_000, limit: 50, now });
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: c.dbId }, include: { attempts: true } });
    const byName = new Map(calls.map((call) => [call.name, call]));

    // Claimed: London (13:00) and New York (08:00). Everyone else waits.
    expect(result.claimed.map((r) => r.to).sort()).toEqual([CITIES.London, CITIES['New York']].sort());
    for (const name of ['London', 'New York']) {
      const [attempt] = byName.get(name)!.attempts;
      const zone = name === 'London' ? 'Europe/London' : 'America/New_York';
      expect(attempt).toMatchObject({
        recipientTimezone: zone,
        recipientTimezones: [zone],
        recipientLocalTime: localDateTime(zone, now),
        callingWindow: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00', legalHours: true, timezoneSource: 'PHONE_NUMBER' },
      });
      expect(attempt!.dncCheckedAt).toEqual(now);
      expect(localHour(zone, now)).toBeGreaterThanOrEqual(8);
    }
    const waiting = {
      'San Francisco': ['America/Los_Angeles'],
      Honolulu: ['Pacific/Honolulu'],
      Anchorage: ['America/Adak', 'America/Anchorage'],
      Tokyo: ['Asia/Tokyo'],
      Sydney: ['Australia/Sydney'],
    };
    for (const [name, zones] of Object.entries(waiting)) {
      const call = byName.get(name)!;
      expect(call.status).toBe('PENDING');
      expect(call.attempts).toEqual([]);
      expect(call.waitReason).toContain(zones.find((z) => localHour(z, now) < 8 || localHour(z, now) >= 21));
      for (const zone of zones) {
        const hour = localHour(zone, call.nextAttemptAt!);
        expect(hour, `${name} in ${zone}`).toBeGreaterThanOrEqual(8);
        expect(hour, `${name} in ${zone}`).toBeLessThan(21);
      }
    }
  });

  it('Call.timezone / timezones / timezoneSource say which zone applies and why', async () => {
    const c = await makeCampaign(org, 'zones', { timezone: 'America/New_York' });
    await addContactsOk(org, {
      campaignId: c.id,
      contacts: [
        { name: 'own zone', phoneNumber: CITIES['San Francisco'], timezone: 'Asia/Tokyo' },
        { name: 'by number', phoneNumber: CITIES.Anchorage },
        { name: 'unknown number', phoneNumber: '+882 1234 5678' },
      ],
    });
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: c.dbId }, orderBy: { position: 'asc' } });
    const served = await Promise.all(calls.map(async (call) => (await org.exec(CallTimezoneDocument, { id: encodeId('Call', call.id) })).node));
    expect(served.map((s) => s && 'timezone' in s && [s.timezone, s.timezones, s.timezoneSource])).toEqual([
      ['Asia/Tokyo', ['Asia/Tokyo'], 'CONTACT'],
      ['America/Adak', ['America/Adak', 'America/Anchorage'], 'PHONE_NUMBER'],
      expect.anything(),
    ]);
  });
});

describe('placeTestCall obeys the recipient’s calling window', () => {
  it('refuses a number whose zone is at night now (OutsideCallingWindow, nothing queued) unless ignoreCallingWindow is set', async () => {
    // One of these is always between 00:00 and 06:00 local, whatever the time of the test.
    const numbers = ['+18085550123', '+14155552671', '+12125550199', '+442079460958', '+971501234567', '+919812345678', '+81312345678', '+61212345678'];
    const zoneOf = [
      'Pacific/Honolulu',
      'America/Los_Angeles',
      'America/New_York',
      'Europe/London',
      'Asia/Dubai',
      'Asia/Kolkata',
      'Asia/Tokyo',
      'Australia/Sydney',
    ];
    const night = zoneOf.findIndex((zone) => localHour(zone, new Date()) < 6 && localHour(zone, new Date()) >= 0.5);
    expect(night).toBeGreaterThanOrEqual(0);
    const c = await makeCampaign(org, 'test calls');
    const before = await t.app.db.prisma.callAttempt.count({ where: { campaignId: c.dbId } });
    const refused = await org.exec(PlaceTestCallDocument, { input: { campaignId: c.id, phoneNumber: numbers[night]! } });
    expect(refused.placeTestCall).toMatchObject({ __typename: 'OutsideCallingWindow', timezone: zoneOf[night] });
    if (refused.placeTestCall.__typename === 'OutsideCallingWindow') {
      expect(localHour(zoneOf[night]!, new Date(refused.placeTestCall.nextEligibleAt!))).toBeGreaterThanOrEqual(8);
    }
    expect(await t.app.db.prisma.callAttempt.count({ where: { campaignId: c.dbId } })).toBe(before);

    const own = await org.exec(PlaceTestCallDocument, { input: { campaignId: c.id, phoneNumber: numbers[night]!, ignoreCallingWindow: true } });
    expect(own.placeTestCall.__typename).toBe('PlaceTestCallPayload');
    const attempt = await t.app.db.prisma.callAttempt.findFirstOrThrow({ where: { campaignId: c.dbId, isTest: true } });
    expect(attempt).toMatchObject({ recipientTimezone: zoneOf[night], callingWindow: expect.objectContaining({ ignoredByCaller: true }) });
  });

  it('refuses premium-rate numbers', async () => {
    const c = await makeCampaign(org, 'premium');
    const refused = await org.exec(PlaceTestCallDocument, { input: { campaignId: c.id, phoneNumber: '+19005550123', ignoreCallingWindow: true } });
    expect(refused.placeTestCall).toMatchObject({ __typename: 'ValidationError', message: expect.stringContaining('premium-rate') });
  });
});
