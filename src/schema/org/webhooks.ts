import type { WebhookEndpoint } from '../../db/generated/prisma/client.ts';
import { createWebhookEndpoint, deleteWebhookEndpoint, MAX_ENDPOINTS } from '../../services/webhooks.ts';
import { builder } from '../builder.ts';
import { totalCountField } from '../common/connection.ts';
import { NotFoundError, ValidationError } from '../common/errors.ts';
import { encodeId, requireId } from '../common/ids.ts';
import { nodeId } from '../common/scope.ts';
import { OrganizationRef } from './organization.ts';

// Result webhooks (ADMIN keys): where callboard POSTs finished calls and campaign status changes.
// Delivery, signature and retries: dialer/webhook-sender.ts; the outbox: services/webhooks.ts.

const WebhookEventEnum = builder.enumType('WebhookEvent', {
  description: 'What a webhook endpoint receives.',
  values: {
    CALL_FINISHED: {
      description: '`call.finished`: a dial ended, with its outcome, the call’s status after it, the contact and the conversation (summary, transcript).',
    },
    CAMPAIGN_STATUS_CHANGED: { description: '`campaign.status_changed`: a campaign moved from one status to another (started, paused, completed…).' },
  },
});

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where one delivery stands.',
  values: {
    PENDING: { description: 'Not delivered yet: waiting for its turn or for its next try (see nextAttemptAt, lastError).' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Given up after a day of tries; later events of the campaign went on.' },
  },
});

builder.prismaObject('WebhookDelivery', {
  description: 'One event on its way to one endpoint (at least once; the event id deduplicates).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Delivery id.' }),
    eventId: t.exposeString('eventId', { description: 'The event’s id: the body’s `id` and the `callboard-event-id` header, the same for every endpoint.' }),
    event: t.expose('event', { type: WebhookEventEnum, description: 'The kind of event.' }),
    payload: t.expose('payload', { type: 'JSON', description: 'The JSON body POSTed.' }),
    status: t.expose('status', { type: WebhookDeliveryStatusEnum, description: 'PENDING, DELIVERED or FAILED.' }),
    attempts: t.exposeInt('attempts', { description: 'POSTs tried so far.' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', description: 'When it is tried next (while PENDING).' }),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true, description: 'The HTTP status of the last try; null if there was no answer.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last try failed (status, timeout, refused address); null once delivered.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the event happened.' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When the endpoint accepted it.' }),
  }),
});

export const WebhookEndpointRef = builder.prismaNode('WebhookEndpoint', {
  description: 'A URL callboard POSTs events to, signed with the endpoint’s secret (shown once, by createWebhookEndpoint).',
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id: nodeId(id), organizationId: ctx.orgId }),
  nullable: true,
  authScopes: { admin: true },
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Where events are POSTed.' }),
    events: t.field({ type: [WebhookEventEnum], resolve: (e) => e.events, description: 'The events it receives.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    deliveries: t.relatedConnection(
      'deliveries',
      {
        cursor: 'id',
        description: 'Its deliveries, newest first, with their last error.',
        query: () => ({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
        totalCount: true,
      },
      { description: 'A page of deliveries.', fields: (c) => ({ totalCount: totalCountField(c, 'All deliveries of the endpoint.') }) },
      { description: 'One delivery.' },
    ),
  }),
});

builder.prismaObjectField(OrganizationRef, 'webhookEndpoints', (t) =>
  t.relation('webhookEndpoints', {
    authScopes: { admin: true },
    description: `The organisation’s webhook endpoints, oldest first (ADMIN keys; at most ${MAX_ENDPOINTS}).`,
    query: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
  }),
);

const CreateWebhookEndpointPayload = builder.objectRef<{ endpoint: WebhookEndpoint; secret: string }>('CreateWebhookEndpointPayload').implement({
  description: 'The new endpoint, and its signing secret — shown this once.',
  fields: (t) => ({
    endpoint: t.field({ type: WebhookEndpointRef, resolve: (p) => p.endpoint, description: 'The endpoint.' }),
    secret: t.exposeString('secret', {
      description:
        'Verify each delivery: callboard-signature is t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>. Store it now: it is never shown again.',
    }),
  }),
});

builder.mutationField('createWebhookEndpoint', (t) =>
  t.field({
    type: CreateWebhookEndpointPayload,
    authScopes: { admin: true },
    description:
      'Registers a URL to POST events to (ADMIN keys). https:// only (http:// to a loopback address outside production), never to private or reserved addresses. Events from now on are delivered at least once, in order per campaign, retried for a day.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { name: 'CreateWebhookEndpointResult', description: 'CreateWebhookEndpointPayload or a typed error.' },
    },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateWebhookEndpointInput', {
          description: 'Where to POST, and which events.',
          fields: (f) => ({
            url: f.string({ required: true, description: 'The receiving URL.' }),
            events: f.field({ type: [WebhookEventEnum], required: true, description: 'The events to receive (at least one).' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => createWebhookEndpoint(ctx.app, ctx.orgId, { url: input.url, events: input.events, actor: ctx.actor }),
  }),
);

builder.mutationField('deleteWebhookEndpoint', (t) =>
  t.field({
    type: builder.objectRef<{ deletedId: string }>('DeleteWebhookEndpointPayload').implement({
      description: 'The endpoint is gone, with its undelivered events.',
      fields: (f) => ({ deletedId: f.id({ resolve: (p) => encodeId('WebhookEndpoint', p.deletedId), description: 'Its id.' }) }),
    }),
    authScopes: { admin: true },
    description: 'Deletes a webhook endpoint (ADMIN keys): nothing more is POSTed to it, including events not delivered yet.',
    errors: {
      types: [NotFoundError],
      directResult: true,
      union: { name: 'DeleteWebhookEndpointResult', description: 'DeleteWebhookEndpointPayload or a typed error.' },
    },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('DeleteWebhookEndpointInput', {
          description: 'The endpoint to delete.',
          fields: (f) => ({ id: f.id({ required: true, description: 'Its id.' }) }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      deletedId: await deleteWebhookEndpoint(ctx.app, ctx.orgId, { id: requireId(input.id, 'WebhookEndpoint'), actor: ctx.actor }),
    }),
  }),
);
