import type { Agent } from '../../db/generated/prisma/client.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { recordAudit } from '../../services/audit.ts';
import { builder } from '../builder.ts';
import { checkCursors } from '../common/cursors.ts';
import { INPUT_ERRORS, ValidationError } from '../common/errors.ts';
import { totalCountField } from '../common/connection.ts';
import { decodeId } from '../common/ids.ts';
import { nodeId } from '../common/scope.ts';

export const AgentRef = builder.prismaNode('Agent', {
  description: 'An AI employee: the voice and script that talks to contacts.',
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id: nodeId(id), organizationId: ctx.orgId }),
  // findUnique (null for a miss) rather than findUniqueOrThrow (an internal error).
  nullable: true,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name.' }),
    script: t.exposeString('script', {
      description: 'The prompt/script the agent follows. May change while a campaign runs; later attempts use it.',
    }),
    voice: t.exposeString('voice', { description: 'Voice identifier of the speech engine.' }),
    providerAgentId: t.exposeString('providerAgentId', {
      nullable: true,
      description:
        'The telephony provider’s own agent this one speaks as (with Retell: the agent_id dialed with). Null: the provider’s default for the calling number.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'Creation time.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
  }),
});

builder.queryField('agents', (t) =>
  t.prismaConnection(
    {
      type: 'Agent',
      cursor: 'id',
      description: 'The organisation’s agents, oldest first.',
      totalCount: (_root, _args, ctx) => ctx.db.prisma.agent.count({ where: { organizationId: ctx.orgId } }),
      resolve: async (query, _root, args, ctx) => {
        await checkCursors(args, (ids) => ctx.db.prisma.agent.count({ where: { id: { in: ids }, organizationId: ctx.orgId } }));
        return ctx.db.prisma.agent.findMany({ ...query, where: { organizationId: ctx.orgId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      },
    },
    { name: 'AgentConnection', description: 'A page of agents.', fields: (t) => ({ totalCount: totalCountField(t, 'All agents of the organisation.') }) },
    { name: 'AgentEdge', description: 'An agent in a page.' },
  ),
);

const AgentPayload = (name: string) =>
  builder.objectRef<{ agent: Agent }>(name).implement({
    description: `Result of ${name.replace(/Payload$/, '')}.`,
    fields: (t) => ({ agent: t.field({ type: AgentRef, resolve: (p) => p.agent, description: 'The agent.' }) }),
  });

function validText(value: string | null | undefined, path: string, max: number, allowEmpty = false) {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (!allowEmpty && !trimmed) throw ValidationError.of([path], 'must not be empty');
  if (trimmed.length > max) throw ValidationError.of([path], `at most ${max} characters`);
  return trimmed;
}

/** A provider's agent id (Retell: "agent_…"): one token. Null clears it on update. */
function validProviderAgentId(value: string | null | undefined): string | null | undefined {
  if (value === null) return null;
  const id = validText(value, 'providerAgentId', 200);
  if (id !== undefined && !/^[\x21-\x7e]+$/.test(id)) throw ValidationError.of(['providerAgentId'], 'must be one word of printable characters');
  return id;
}

const CreateAgentInput = builder.inputType('CreateAgentInput', {
  description: 'A new agent.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name.' }),
    script: t.string({ description: 'Prompt/script (up to 100,000 characters).' }),
    voice: t.string({ description: 'Voice identifier (default "alloy").' }),
    providerAgentId: t.string({ description: 'The provider’s agent to dial with (Retell agent_id); default none.' }),
  }),
});

builder.mutationField('createAgent', (t) =>
  t.field({
    type: AgentPayload('CreateAgentPayload'),
    description: 'Creates an agent.',
    errors: { types: INPUT_ERRORS, directResult: true, union: { name: 'CreateAgentResult', description: 'CreateAgentPayload or a typed error.' } },
    args: { input: t.arg({ type: CreateAgentInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const data = {
        organizationId: ctx.orgId,
        name: validText(input.name, 'name', 200)!,
        script: validText(input.script, 'script', 100_000, true),
        voice: validText(input.voice, 'voice', 100),
        providerAgentId: validProviderAgentId(input.providerAgentId),
      };
      const agent = await ctx.db.prisma.$transaction(async (tx) => {
        const created = await tx.agent.create({ data });
        await recordAudit(tx, ctx.orgId, ctx.actor, {
          action: 'agent.create',
          targetType: 'Agent',
          targetId: created.id,
          after: { name: created.name, voice: created.voice, providerAgentId: created.providerAgentId },
        });
        return created;
      });
      return { agent };
    },
  }),
);

const UpdateAgentInput = builder.inputType('UpdateAgentInput', {
  description: 'Changes to an agent; omitted fields stay as they are.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The agent.' }),
    name: t.string({ description: 'New name.' }),
    script: t.string({ description: 'New script; running campaigns use it from their next attempt.' }),
    voice: t.string({ description: 'New voice.' }),
    providerAgentId: t.string({ description: 'New provider agent (Retell agent_id); null clears it.' }),
  }),
});

builder.mutationField('updateAgent', (t) =>
  t.field({
    type: AgentPayload('UpdateAgentPayload'),
    description: 'Updates an agent.',
    errors: { types: INPUT_ERRORS, directResult: true, union: { name: 'UpdateAgentResult', description: 'UpdateAgentPayload or a typed error.' } },
    args: { input: t.arg({ type: UpdateAgentInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const id = decodeId(input.id, 'Agent');
      const data = {
        name: validText(input.name, 'name', 200),
        script: validText(input.script, 'script', 100_000, true),
        voice: validText(input.voice, 'voice', 100),
        providerAgentId: validProviderAgentId(input.providerAgentId),
      };
      const count = id
        ? await ctx.db.prisma.$transaction(async (tx) => {
            const before = await tx.agent.findFirst({ where: { id, organizationId: ctx.orgId }, select: { name: true, voice: true, script: true } });
            if (!before) return 0;
            const { count: changed } = await tx.agent.updateMany({ where: { id, organizationId: ctx.orgId }, data });
            await recordAudit(tx, ctx.orgId, ctx.actor, {
              action: 'agent.update',
              targetType: 'Agent',
              targetId: id,
              before: { name: before.name, voice: before.voice, scriptLength: before.script.length },
              after: { name: data.name ?? before.name, voice: data.voice ?? before.voice, scriptLength: (data.script ?? before.script).length },
            });
            return changed;
          })
        : 0;
      if (!count) throw new NotFoundError('Agent', input.id);
      return { agent: await ctx.db.prisma.agent.findUniqueOrThrow({ where: { id: id! } }) };
    },
  }),
);
