import { isUuid } from '../../domain/ids.ts';
import { builder } from '../builder.ts';
import { totalCountField } from '../common/connection.ts';
import { decodeGlobalIdOrNull, encodeId } from '../common/ids.ts';
import { OrganizationRef } from './organization.ts';

// The audit log, read by ADMIN keys. No mutation changes or deletes it.

const AuditActor = builder.objectRef<{ apiKeyId: string | null; name: string | null }>('AuditActor').implement({
  description: 'Who made a change: an API key, or callboard itself (the dialer, the scheduler) when apiKeyId is null.',
  fields: (t) => ({
    apiKeyId: t.id({
      nullable: true,
      description: 'The API key (global id); null for callboard’s own changes.',
      resolve: (a) => (a.apiKeyId ? encodeId('ApiKey', a.apiKeyId) : null),
    }),
    name: t.exposeString('name', { nullable: true, description: 'The key’s name at the time; null for callboard’s own changes.' }),
  }),
});

builder.prismaObject('AuditEvent', {
  description: 'One change to the organisation’s campaigns, agents, keys, do-not-call list, balance or limits.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Audit event id.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the change was committed.' }),
    actor: t.field({ type: AuditActor, resolve: (e) => ({ apiKeyId: e.actorKeyId, name: e.actorName }), description: 'Who made it.' }),
    action: t.exposeString('action', {
      description:
        'What was done, e.g. campaign.pause, campaign.update, campaign.add_contacts, agent.create, api_key.revoke, do_not_call.add, organization.add_minutes.',
    }),
    targetType: t.exposeString('targetType', { description: 'The kind of object changed: Campaign, Agent, ApiKey or Organization.' }),
    targetId: t.id({
      description: 'The object changed (a global id).',
      resolve: (e) => (isUuid(e.targetId) ? encodeId(e.targetType, e.targetId) : e.targetId),
    }),
    before: t.expose('before', {
      type: 'JSON',
      nullable: true,
      description: 'The relevant state before the change (status, version, settings…), when there was one.',
    }),
    after: t.expose('after', { type: 'JSON', nullable: true, description: 'The relevant state after the change.' }),
    requestId: t.exposeString('requestId', {
      nullable: true,
      description: 'The request it came with (x-request-id, or one callboard made up); null for callboard’s own changes.',
    }),
  }),
});

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  description: 'Which audit events to list.',
  fields: (t) => ({
    targetId: t.id({ description: 'Only changes to this object (a global id).' }),
    action: t.string({ description: 'Only this action, e.g. "campaign.stop".' }),
    after: t.field({ type: 'DateTime', description: 'Only changes after this instant.' }),
    before: t.field({ type: 'DateTime', description: 'Only changes before this instant.' }),
  }),
});

builder.prismaObjectField(OrganizationRef, 'auditEvents', (t) =>
  t.relatedConnection(
    'auditEvents',
    {
      cursor: 'id',
      authScopes: { admin: true },
      description: 'Who changed what, newest first (ADMIN keys).',
      args: { filter: t.arg({ type: AuditEventFilter, description: 'Filter.' }) },
      query: (args) => {
        const target = args.filter?.targetId ? decodeGlobalIdOrNull(args.filter.targetId) : undefined;
        return {
          where: {
            ...(target !== undefined ? { targetId: target ?? '-' } : {}),
            ...(args.filter?.action ? { action: args.filter.action } : {}),
            ...(args.filter?.after || args.filter?.before ? { at: { gt: args.filter.after ?? undefined, lt: args.filter.before ?? undefined } } : {}),
          },
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
        };
      },
      totalCount: true,
    },
    { description: 'A page of audit events.', fields: (c) => ({ totalCount: totalCountField(c, 'Audit events matching the filter.') }) },
    { description: 'One audit event.' },
  ),
);
