import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './common/scalars.ts';
import './common/errors.ts';
import './agent/agent.ts';
import './campaign/campaign.ts';
import './campaign/queries.ts';
import './campaign/mutations.ts';
import './org/organization.ts';
import './org/do-not-call.ts';
import './org/administration.ts';
import './org/api-keys.ts';
import './org/audit-events.ts';
import './org/webhooks.ts';
import './call/call.ts';
import './call/campaign-calls.ts';
import './call/contacts.ts';
import './call/duplicate.ts';
import './call/test-call.ts';
import './call/org-calls.ts';
import './call/import-jobs.ts';
import './campaign/results.ts';
import './realtime/campaign-events.ts';
import './realtime/campaign-updated.ts';
import './realtime/campaigns-updated.ts';
import './realtime/call-updated.ts';

builder.queryType({ description: 'Reads. Everything is scoped to the organisation of the API key.' });
// Every mutation needs a WRITE key (READ keys only query and subscribe); some need ADMIN too.
builder.mutationType({ description: 'Writes (WRITE or ADMIN keys). Each returns a union of its payload and typed errors.', authScopes: { write: true } });
builder.subscriptionType({ description: 'Live updates over graphql-ws (graphql-transport-ws) or SSE (Accept: text/event-stream).' });

export const schema = lexicographicSortSchema(builder.toSchema());
