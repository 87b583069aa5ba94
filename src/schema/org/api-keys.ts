import type { ApiKey } from '../../db/generated/prisma/client.ts';
import { createKeyRecord, revokeKey, type ApiKeyScope } from '../../auth/keys.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { recordAudit } from '../../services/audit.ts';
import { builder } from '../builder.ts';
import { totalCountField } from '../common/connection.ts';
import { requireId } from '../common/ids.ts';
import { nodeId } from '../common/scope.ts';
import { OrganizationRef } from './organization.ts';

// API keys, managed by ADMIN keys. A key's secret is shown once, by createApiKey.

/** A key expires within ten years at most: "forever" is what revocation is for. */
const MAX_KEY_LIFETIME_MS = 10 * 365 * 24 * 3600_000;

export const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  description: 'What a key may do; each includes the ones before it.',
  values: {
    READ: { description: 'Queries and subscriptions.' },
    WRITE: { description: 'READ, and every mutation that runs campaigns (campaigns, contacts, agents, test calls).' },
    ADMIN: { description: 'WRITE, and the organisation’s administration: API keys, do-not-call list, minutes, limits.' },
  } as const,
});

export const ApiKeyRef = builder.prismaNode('ApiKey', {
  description: 'An API key of the organisation. Its secret is never shown again after createApiKey.',
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id: nodeId(id), organizationId: ctx.orgId }),
  nullable: true,
  authScopes: { admin: true },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'A label, e.g. "dashboard" or "CRM sync".' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to tell keys apart.' }),
    scopes: t.field({ type: [ApiKeyScopeEnum], resolve: (k) => k.scopes, description: 'What the key may do.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it stops working; null: never.' }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was revoked: from then on every request with it gets 401 and its open subscriptions are closed (4401) within a second.',
    }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Last use, to the minute; null if never used.' }),
  }),
});

builder.prismaObjectField(OrganizationRef, 'apiKeys', (t) =>
  t.relatedConnection(
    'apiKeys',
    {
      cursor: 'id',
      authScopes: { admin: true },
      description: 'The organisation’s API keys, newest first, revoked ones included (ADMIN keys).',
      query: () => ({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      totalCount: true,
    },
    { description: 'A page of API keys.', fields: (c) => ({ totalCount: totalCountField(c, 'All keys of the organisation.') }) },
    { description: 'One API key.' },
  ),
);

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'A label, 1–100 characters.' }),
    scopes: t.field({ type: [ApiKeyScopeEnum], required: true, description: 'What it may do (at least one; the highest counts).' }),
    expiresAt: t.field({ type: 'DateTime', description: 'When it stops working (in the future, within ten years); default never.' }),
  }),
});

const CreateApiKeyPayload = builder.objectRef<{ apiKey: ApiKey; secret: string }>('CreateApiKeyPayload').implement({
  description: 'The new key and its secret.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (p) => p.apiKey, description: 'The key.' }),
    secret: t.exposeString('secret', { description: 'Send it as `Authorization: Bearer <secret>`. Shown this once: callboard keeps only its hash.' }),
  }),
});

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreateApiKeyPayload,
    authScopes: { admin: true },
    description: 'Creates an API key for the organisation (ADMIN keys).',
    errors: { types: [ValidationError], directResult: true, union: { name: 'CreateApiKeyResult', description: 'CreateApiKeyPayload or a typed error.' } },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const name = input.name.trim();
      const problems = [];
      if (!name || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) problems.push({ path: ['name'], message: '1–100 printable characters' });
      if (input.scopes.length === 0) problems.push({ path: ['scopes'], message: 'at least one scope' });
      const expiresAt = input.expiresAt ?? null;
      if (expiresAt && (expiresAt.getTime() <= Date.now() || expiresAt.getTime() > Date.now() + MAX_KEY_LIFETIME_MS)) {
        problems.push({ path: ['expiresAt'], message: 'must be in the future and within ten years' });
      }
      if (problems.length) throw new ValidationError(problems);
      return ctx.db.prisma.$transaction(async (tx) => {
        const { key, row } = await createKeyRecord(tx, { id: ctx.orgId }, { name, scopes: input.scopes as ApiKeyScope[], expiresAt });
        await recordAudit(tx, ctx.orgId, ctx.actor, {
          action: 'api_key.create',
          targetType: 'ApiKey',
          targetId: row.id,
          after: { name: row.name, prefix: row.prefix, scopes: row.scopes, expiresAt: row.expiresAt?.toISOString() ?? null },
        });
        return { apiKey: row, secret: key };
      });
    },
  }),
);

const RevokeApiKeyPayload = builder.objectRef<{ apiKey: ApiKey }>('RevokeApiKeyPayload').implement({
  description: 'The revoked key.',
  fields: (t) => ({ apiKey: t.field({ type: ApiKeyRef, resolve: (p) => p.apiKey, description: 'With its revokedAt.' }) }),
});

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: RevokeApiKeyPayload,
    authScopes: { admin: true },
    description:
      'Revokes an API key at once (ADMIN keys): its next request gets 401, and its open subscriptions are closed with 4401 within a second, in every API process. Revoking a revoked key changes nothing.',
    errors: { types: [NotFoundError], directResult: true, union: { name: 'RevokeApiKeyResult', description: 'RevokeApiKeyPayload or a typed error.' } },
    args: {
      input: t.arg({
        type: builder.inputType('RevokeApiKeyInput', {
          description: 'The key to revoke.',
          fields: (f) => ({ id: f.id({ required: true, description: 'Its id.' }) }),
        }),
        required: true,
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const keyId = requireId(input.id, 'ApiKey');
      const apiKey = await ctx.db.prisma.$transaction(async (tx) => {
        const before = await tx.apiKey.findFirst({ where: { id: keyId, organizationId: ctx.orgId }, select: { revokedAt: true } });
        const revoked = await revokeKey(tx, ctx.orgId, keyId);
        if (revoked && !before?.revokedAt) {
          await recordAudit(tx, ctx.orgId, ctx.actor, {
            action: 'api_key.revoke',
            targetType: 'ApiKey',
            targetId: keyId,
            after: { revokedAt: revoked.revokedAt!.toISOString() },
          });
        }
        return revoked;
      });
      if (!apiKey) throw new NotFoundError('ApiKey', input.id);
      // Committed: no process may keep accepting it from its key cache.
      ctx.app.keys.revoked(keyId);
      return { apiKey };
    },
  }),
);
