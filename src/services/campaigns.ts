import type { App } from '../app.ts';
import { Prisma, type Campaign } from '../db/generated/prisma/client.ts';
import { transaction, TX, type Tx } from '../db/transactions.ts';
import { parseCampaignSettings, parseName } from '../domain/campaign-settings.ts';
import { InvalidCampaignTransitionError, NotFoundError, type FieldError, ValidationError, VersionConflictError } from '../domain/errors.ts';
import { transition } from '../domain/lifecycle.ts';
import { appendEvent, withEvents } from '../realtime/event-log.ts';
import { type Actor, recordAudit } from './audit.ts';
import { lockLiveCampaign } from './campaign-lock.ts';

/** Settings as the client sent them; validated by the domain (campaign-settings.ts), not trusted. */
export type SettingsInput = unknown;

/** Validated settings as columns; omitted fields are left out (unchanged). */
export function settingsData(input: SettingsInput): Prisma.CampaignUncheckedUpdateInput {
  const s = parseCampaignSettings(input);
  const data: Prisma.CampaignUncheckedUpdateInput = {};
  if (s.maxAttempts !== undefined) data.maxAttempts = s.maxAttempts;
  if (s.maxConcurrentCalls !== undefined) data.maxConcurrentCalls = s.maxConcurrentCalls;
  if (s.timezone !== undefined) data.timezone = s.timezone;
  if (s.clampToLegalHours !== undefined) data.clampToLegalHours = s.clampToLegalHours;
  if (s.autoComplete !== undefined) data.autoComplete = s.autoComplete;
  if (s.maxCallbacks !== undefined) data.maxCallbacks = s.maxCallbacks;
  if (s.callingWindow) {
    data.callingDays = s.callingWindow.days;
    data.callingStart = s.callingWindow.start;
    data.callingEnd = s.callingWindow.end;
  }
  // Explicit null resets to the built-in defaults (the column's null); omitted leaves it as it is.
  if (s.retryPolicy === null) data.retryPolicy = Prisma.DbNull;
  else if (s.retryPolicy !== undefined) data.retryPolicy = s.retryPolicy;
  return data;
}

/** What the audit log keeps of a campaign's editable state. */
function auditable(c: Campaign): Prisma.InputJsonObject {
  return {
    name: c.name,
    agentId: c.agentId,
    version: c.version,
    maxAttempts: c.maxAttempts,
    maxConcurrentCalls: c.maxConcurrentCalls,
    timezone: c.timezone,
    callingWindow: { days: c.callingDays, start: c.callingStart, end: c.callingEnd },
    clampToLegalHours: c.clampToLegalHours,
    autoComplete: c.autoComplete,
    maxCallbacks: c.maxCallbacks,
    retryPolicy: (c.retryPolicy ?? null) as Prisma.InputJsonValue,
  };
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

function validName(name: string | null | undefined): string | undefined {
  return name == null ? undefined : parseName(name);
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
  input: { name: string; agentId?: string | null; settings?: SettingsInput; actor?: Actor | null },
): Promise<Campaign> {
  const { name, settings } = validInput(input);
  return transaction(app.db, TX.locked, async (tx) => {
    await requireAgent(tx, orgId, input.agentId);
    const created = await tx.campaign.create({
      data: { ...(settings as Prisma.CampaignUncheckedCreateInput), name: name!, organizationId: orgId, agentId: input.agentId ?? null },
    });
    await recordAudit(tx, orgId, input.actor, { action: 'campaign.create', targetType: 'Campaign', targetId: created.id, after: auditable(created) });
    return created;
  });
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
  input: { id: string; expectedVersion?: number | null; name?: string | null; agentId?: string | null; settings?: SettingsInput; actor?: Actor | null },
): Promise<Campaign> {
  const { name, settings } = validInput(input);
  return withEvents(app, TX.locked, async (tx, events) => {
    const current = await lockLiveCampaign(tx, orgId, input.id);
    if (input.expectedVersion != null && current.version !== input.expectedVersion) {
      throw new VersionConflictError(current.version);
    }
    if (!transition(current.status, 'EDIT').ok) throw new InvalidCampaignTransitionError(current.status, 'EDIT');
    await requireAgent(tx, orgId, input.agentId);
    const previous = auditable(await tx.campaign.findUniqueOrThrow({ where: { id: input.id } }));
    const updated = await tx.campaign.update({
      where: { id: input.id },
      data: { ...settings, ...(name ? { name } : {}), ...(input.agentId ? { agentId: input.agentId } : {}), version: { increment: 1 } },
    });
    events.push(await appendEvent(tx, input.id, 'CAMPAIGN_UPDATED'));
    await recordAudit(tx, orgId, input.actor, {
      action: 'campaign.update',
      targetType: 'Campaign',
      targetId: input.id,
      before: previous,
      after: auditable(updated),
    });
    return updated;
  });
}
