import { z } from 'zod';
import type { App } from '../app.ts';
import { Prisma, type Campaign } from '../db/generated/prisma/client.ts';
import { InvalidCampaignTransitionError, NotFoundError, type FieldError, ValidationError, VersionConflictError } from '../domain/errors.ts';
import { transition } from '../domain/lifecycle.ts';
import { RetryPolicySchema } from '../domain/retry-policy.ts';
import type { CampaignEventMessage } from '../realtime/pubsub.ts';
import { appendEvent, publishEvents, type Tx } from './events.ts';
import { lockCampaign, TX_OPTIONS } from './campaign-lifecycle.ts';

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
    // The dialer's own schema: only retryable outcomes, partial overrides (resolveRetryPolicy
    // assumes input validated by it, so a looser check here would store rules it then ignores).
    retryPolicy: RetryPolicySchema.nullish(),
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
  // Explicit null resets to the built-in defaults (the column's null); omitted leaves it as it is.
  if (s.retryPolicy === null) data.retryPolicy = Prisma.DbNull;
  else if (s.retryPolicy !== undefined) data.retryPolicy = s.retryPolicy;
  return data;
}

/** Name and settings validated together, so one reply lists every invalid field. */
function validInput(input: { name?: string | null; settings?: SettingsInput }) {
  const errors: FieldError[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...error.fieldErrors);
      return undefined;
    }
  };
  const name = attempt(() => validName(input.name));
  const settings = attempt(() => settingsData(input.settings));
  if (errors.length) throw new ValidationError(errors);
  return { name, settings: settings! };
}

function validName(name: string | null | undefined, path = ['name']): string | undefined {
  if (name == null) return undefined;
  const parsed = Name.safeParse(name);
  if (!parsed.success) fail(parsed.error, path);
  return parsed.data;
}

/**
 * Checks the agent belongs to the organisation, inside the caller's transaction. FOR KEY SHARE
 * keeps it from being deleted before the campaign row pointing at it commits (a check outside
 * the transaction would let that race end in a foreign-key violation, i.e. a 500).
 */
async function requireAgent(tx: Tx, orgId: string, agentId: string | null | undefined) {
  if (agentId == null) return;
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM agent WHERE id = ${agentId}::uuid AND organization_id = ${orgId}::uuid FOR KEY SHARE`;
  if (rows.length === 0) throw new NotFoundError('Agent', agentId);
}

export async function createCampaign(
  app: App,
  orgId: string,
  input: { name: string; agentId?: string | null; settings?: SettingsInput },
): Promise<Campaign> {
  const { name, settings } = validInput(input);
  return app.db.prisma.$transaction(async (tx) => {
    await requireAgent(tx, orgId, input.agentId);
    return tx.campaign.create({
      data: { ...(settings as Prisma.CampaignUncheckedCreateInput), name: name!, organizationId: orgId, agentId: input.agentId ?? null },
    });
  }, TX_OPTIONS);
}

/**
 * Renames, reassigns the agent or changes settings. With expectedVersion the update happens only
 * if nobody changed the campaign since the caller read it (VersionConflict otherwise). Input is
 * validated before the transaction (pure); everything read from the database — the version, the
 * status the state machine checks (EDIT), the agent — is read under the campaign's row lock, so
 * concurrent updates and lifecycle actions apply one after the other and none is lost.
 */
export async function updateCampaign(
  app: App,
  orgId: string,
  input: { id: string; expectedVersion?: number | null; name?: string | null; agentId?: string | null; settings?: SettingsInput },
): Promise<Campaign> {
  const { name, settings } = validInput(input);
  let event: CampaignEventMessage | undefined;
  const campaign = await app.db.prisma.$transaction(async (tx) => {
    const current = await lockCampaign(tx, orgId, input.id);
    if (input.expectedVersion != null && current.version !== input.expectedVersion) {
      throw new VersionConflictError(current.version);
    }
    if (!transition(current.status, 'EDIT').ok) throw new InvalidCampaignTransitionError(current.status, 'EDIT');
    await requireAgent(tx, orgId, input.agentId);
    const updated = await tx.campaign.update({
      where: { id: input.id },
      data: { ...settings, ...(name ? { name } : {}), ...(input.agentId ? { agentId: input.agentId } : {}), version: { increment: 1 } },
    });
    event = await appendEvent(tx, input.id, 'CAMPAIGN_UPDATED');
    return updated;
  }, TX_OPTIONS);
  publishEvents(app.pubsub, [event!]);
  return campaign;
}
