import { z } from 'zod';
import type { App } from '../app.ts';
import type { Campaign, Prisma } from '../db/generated/prisma/client.ts';
import { NotFoundError, ValidationError, VersionConflictError } from '../domain/errors.ts';
import { appendEvent, publishEvents } from './events.ts';
import { lockCampaign } from './campaign-lifecycle.ts';

const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const clockToMinutes = (s: string) => {
  const m = CLOCK.exec(s)!;
  return Number(m[1]) * 60 + Number(m[2]);
};

const Settings = z
  .object({
    maxAttempts: z.number().int().min(1).max(20).nullish(),
    maxConcurrentCalls: z.number().int().min(1).max(1000).nullish(),
    timezone: z.string().refine(isTimeZone, 'not an IANA time zone').nullish(),
    callingWindow: z
      .object({
        days: z.array(z.enum(WEEKDAYS)).min(1, 'at least one day'),
        start: z.string().regex(CLOCK, 'use HH:MM'),
        end: z.string().regex(CLOCK, 'use HH:MM'),
      })
      .refine((w) => !CLOCK.test(w.start) || !CLOCK.test(w.end) || clockToMinutes(w.end) > clockToMinutes(w.start), {
        message: 'end must be after start',
        path: ['end'],
      })
      .nullish(),
    retryPolicy: z
      .record(
        z.string(),
        z.object({
          delaySeconds: z.number().int().min(0).max(7 * 86400),
          maxAttempts: z.number().int().min(1).max(20),
        }),
      )
      .nullish(),
  })
  .nullish();

/** Settings as the client sent them; validated here, not trusted. */
export type SettingsInput = unknown;

const Name = z.string().trim().min(1, 'must not be empty').max(200);

function fail(error: z.ZodError, prefix: string[]): never {
  throw new ValidationError(error.issues.map((i) => ({ path: [...prefix, ...i.path.map(String)], message: i.message })));
}

/** Validates settings input and maps it to columns; omitted fields are left out (unchanged). */
export function settingsData(input: SettingsInput): Prisma.CampaignUncheckedUpdateInput {
  const parsed = Settings.safeParse(input);
  if (!parsed.success) fail(parsed.error, ['settings']);
  const s = parsed.data ?? {};
  const data: Prisma.CampaignUncheckedUpdateInput = {};
  if (s.maxAttempts != null) data.maxAttempts = s.maxAttempts;
  if (s.maxConcurrentCalls != null) data.maxConcurrentCalls = s.maxConcurrentCalls;
  if (s.timezone != null) data.timezone = s.timezone;
  if (s.callingWindow) {
    data.callingDays = [...new Set(s.callingWindow.days.map((d) => WEEKDAYS.indexOf(d) + 1))].sort();
    data.callingStart = clockToMinutes(s.callingWindow.start);
    data.callingEnd = clockToMinutes(s.callingWindow.end);
  }
  if (s.retryPolicy !== undefined) data.retryPolicy = s.retryPolicy ?? undefined;
  return data;
}

function validName(name: string | null | undefined, path = ['name']): string | undefined {
  if (name == null) return undefined;
  const parsed = Name.safeParse(name);
  if (!parsed.success) fail(parsed.error, path);
  return parsed.data;
}

async function requireAgent(app: App, orgId: string, agentId: string | null | undefined) {
  if (agentId == null) return;
  const agent = await app.db.prisma.agent.findFirst({ where: { id: agentId, organizationId: orgId }, select: { id: true } });
  if (!agent) throw new NotFoundError('Agent', agentId);
}

export async function createCampaign(
  app: App,
  orgId: string,
  input: { name: string; agentId?: string | null; settings?: SettingsInput },
): Promise<Campaign> {
  const name = validName(input.name)!;
  const settings = settingsData(input.settings);
  await requireAgent(app, orgId, input.agentId);
  return app.db.prisma.campaign.create({
    data: { ...(settings as Prisma.CampaignUncheckedCreateInput), name, organizationId: orgId, agentId: input.agentId ?? null },
  });
}

/**
 * Renames, reassigns the agent or changes settings. With expectedVersion the update happens only
 * if nobody changed the campaign since the caller read it (VersionConflict otherwise).
 */
export async function updateCampaign(
  app: App,
  orgId: string,
  input: { id: string; expectedVersion?: number | null; name?: string | null; agentId?: string | null; settings?: SettingsInput },
): Promise<Campaign> {
  const name = validName(input.name);
  const settings = settingsData(input.settings);
  await requireAgent(app, orgId, input.agentId);
  let event;
  const campaign = await app.db.prisma.$transaction(async (tx) => {
    const current = await lockCampaign(tx, orgId, input.id);
    if (input.expectedVersion != null && current.version !== input.expectedVersion) {
      throw new VersionConflictError(current.version);
    }
    const updated = await tx.campaign.update({
      where: { id: input.id },
      data: { ...settings, ...(name ? { name } : {}), ...(input.agentId ? { agentId: input.agentId } : {}), version: { increment: 1 } },
    });
    event = await appendEvent(tx, input.id, 'CAMPAIGN_UPDATED');
    return updated;
  });
  publishEvents(app.pubsub, [event!]);
  return campaign;
}
