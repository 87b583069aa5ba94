import type { Campaign } from '../../db/generated/prisma/client.ts';
import { formatClock, WEEKDAYS } from '../../domain/calling-window.ts';
import { builder } from '../builder.ts';

export const WeekdayEnum = builder.enumType('Weekday', {
  description: 'A day of the week, in the recipient’s local time.',
  values: WEEKDAYS,
});

// Columns hold 0–1440 (the domain validated them), so formatClock never returns null here.
const clock = (minutes: number) => formatClock(minutes)!;

const CallingWindow = builder.objectRef<Campaign>('CallingWindow').implement({
  description:
    'When calls may be placed, in each recipient’s local time (their own time zone, else the campaign’s). Never outside 08:00–21:00 local, whatever is configured.',
  fields: (t) => ({
    days: t.field({
      type: [WeekdayEnum],
      description: 'Days on which calls may be placed.',
      resolve: (c) => c.callingDays.map((d) => WEEKDAYS[d - 1]!),
    }),
    start: t.string({ description: 'Local start time, "HH:MM" (inclusive).', resolve: (c) => clock(c.callingStart) }),
    end: t.string({ description: 'Local end time, "HH:MM" (exclusive).', resolve: (c) => clock(c.callingEnd) }),
  }),
});

export const CampaignSettings = builder.objectRef<Campaign>('CampaignSettings').implement({
  description: 'How the dialer works a campaign.',
  fields: (t) => ({
    maxAttempts: t.exposeInt('maxAttempts', { description: 'Dials per contact at most (retries included).' }),
    maxConcurrentCalls: t.exposeInt('maxConcurrentCalls', { description: 'Calls of this campaign in progress at once, at most.' }),
    timezone: t.exposeString('timezone', { description: 'IANA time zone for contacts without one of their own.' }),
    callingWindow: t.field({ type: CallingWindow, resolve: (c) => c, description: 'When calls may be placed.' }),
    clampToLegalHours: t.exposeBoolean('clampToLegalHours', {
      description:
        'Calls are placed only between 08:00 and 21:00 in the recipient’s local time, whatever the window says (true unless the campaign explicitly opted out).',
    }),
    autoComplete: t.exposeBoolean('autoComplete', {
      description:
        'true (the default): the campaign COMPLETES when its last call is done. false: a continuous campaign — it stays RUNNING (idle) and dials contacts added later, until completeCampaign.',
    }),
    maxCallbacks: t.exposeInt('maxCallbacks', {
      description: 'Callbacks per contact at the time the person asked for (0–5, default 1); they do not use maxAttempts.',
    }),
    retryPolicy: t.expose('retryPolicy', {
      type: 'JSON',
      nullable: true,
      description: 'Per-outcome overrides { OUTCOME: { delaySeconds, maxAttempts } }; null means the built-in defaults.',
    }),
  }),
});

export const CallingWindowInput = builder.inputType('CallingWindowInput', {
  description: 'When calls may be placed, in the recipient’s local time.',
  fields: (t) => ({
    days: t.field({ type: [WeekdayEnum], required: true, description: 'Allowed days.' }),
    start: t.string({ required: true, description: 'Local start, "HH:MM".' }),
    end: t.string({ required: true, description: 'Local end, "HH:MM" (after start).' }),
  }),
});

export const CampaignSettingsInput = builder.inputType('CampaignSettingsInput', {
  description: 'Campaign settings; omitted fields keep their current (or default) value.',
  fields: (t) => ({
    maxAttempts: t.int({ description: 'Dials per contact, 1–20 (default 3).' }),
    maxConcurrentCalls: t.int({ description: 'Concurrent calls, 1–1000 (default 10).' }),
    timezone: t.string({ description: 'IANA time zone, e.g. "America/New_York" (default UTC).' }),
    callingWindow: t.field({ type: CallingWindowInput, description: 'Default: weekdays 09:00–20:00.' }),
    clampToLegalHours: t.boolean({
      description:
        'Default true: never call outside 08:00–21:00 recipient-local. Set false only where the law of every recipient allows other hours and you take responsibility for it.',
    }),
    autoComplete: t.boolean({
      description: 'Default true. false keeps the campaign RUNNING when nothing is left to dial, for contacts added later (finish it with completeCampaign).',
    }),
    maxCallbacks: t.int({ description: 'Callbacks per contact at the time the person asked for, 0–5 (default 1).' }),
    retryPolicy: t.field({ type: 'JSON', description: 'Per-outcome retry overrides { OUTCOME: { delaySeconds, maxAttempts } }.' }),
  }),
});
