import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './common/scalars.ts';
import './common/errors.ts';
import './agent/agent.ts';
import './campaign/campaign.ts';
import './campaign/queries.ts';
import './campaign/mutations.ts';
import './org/organization.ts';

builder.queryType({ description: 'Reads. Everything is scoped to the organisation of the API key.' });
builder.mutationType({ description: 'Writes. Each returns a union of its payload and typed errors.' });

export const schema = lexicographicSortSchema(builder.toSchema());
