/**
 * The audit log: who changed what. Every writer of a campaign, agent, key, do-not-call list,
 * balance or limit calls recordAudit inside its own transaction, so a change and its record
 * commit together or not at all. Nothing updates or deletes audit rows.
 */
import type { Prisma } from '../db/generated/prisma/client.ts';
import type { Tx } from '../db/transactions.ts';

/** The API key behind a change, and the request it came with; null for callboard's own changes. */
export interface Actor {
  keyId: string;
  name: string;
  requestId: string | null;
}

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
}

export async function recordAudit(tx: Tx, organizationId: string, actor: Actor | null | undefined, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      organizationId,
      actorKeyId: actor?.keyId ?? null,
      actorName: actor?.name ?? null,
      requestId: actor?.requestId ?? null,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      before: entry.before ?? undefined,
      after: entry.after ?? undefined,
    },
  });
}
