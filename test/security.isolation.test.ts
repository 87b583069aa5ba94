import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRecord } from '../src/auth/keys.ts';
import { schema } from '../src/schema/index.ts';
import { encodeId } from '../src/schema/common/ids.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addContactsOk } from './helpers/calls.ts';
import { makeCampaign } from './helpers/campaigns.ts';

/**
 * Isolation proven from the schema: every Query field with an id, every node type, every mutation
 * that names an object, and every subscription is tried with organisation B's key against
 * organisation A's objects. B must read nothing, change nothing, and get exactly the answer it
 * gets for an id that does not exist. New fields are covered by being in the schema.
 */
let t: TestApp;
let a: TestOrg;
let b: TestOrg;
const ids: Record<string, string> = {}; // typename → a global id of A's object of that type
const random: Record<string, string> = {};

beforeAll(async () => {
  t = await makeTestApp();
  a = await t.makeOrg();
  b = await t.makeOrg();
  const campaign = await makeCampaign(a, 'A’s campaign');
  await addContactsOk(a, { campaignId: campaign.id, contacts: [{ phoneNumber: '+14155550100' }] });
  const call = await t.app.db.prisma.call.findFirstOrThrow({ where: { campaignId: campaign.dbId } });
  const attempt = await t.app.db.prisma.callAttempt.create({ data: { campaignId: campaign.dbId, callId: call.id, number: 1, toNumber: call.phoneNumber } });
  const agent = await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.dbId }, select: { agentId: true } });
  const { row: key } = await createKeyRecord(t.app.db.prisma, { id: a.orgId }, { name: 'A’s reader', scopes: ['READ'] });
  const job = await t.app.db.prisma.importJob.create({ data: { organizationId: a.orgId, campaignId: campaign.dbId } });
  const endpoint = await t.app.db.prisma.webhookEndpoint.create({
    data: { organizationId: a.orgId, url: 'https://a.example/hooks', events: ['CALL_FINISHED'], secret: 'whsec_a' },
  });
  Object.assign(ids, {
    ImportJob: encodeId('ImportJob', job.id),
    WebhookEndpoint: encodeId('WebhookEndpoint', endpoint.id),
    Campaign: campaign.id,
    Call: encodeId('Call', call.id),
    CallAttempt: encodeId('CallAttempt', attempt.id),
    Agent: encodeId('Agent', agent.agentId!),
    ApiKey: encodeId('ApiKey', key.id),
  });
  for (const type of Object.keys(ids)) random[type] = encodeId(type, '00000000-0000-4000-8000-00000000abcd');
});
afterAll(() => t?.close());

async function as(org: TestOrg, query: string, variables: Record<string, unknown>) {
  const response = await t.yoga.fetch('http://callboard.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

/** Everything of A that a mutation could change. */
async function stateOfA() {
  const p = t.app.db.prisma;
  const [org, campaigns, calls, agents, keys, dnc, events] = await Promise.all([
    p.organization.findUniqueOrThrow({ where: { id: a.orgId } }),
    p.campaign.findMany({ where: { organizationId: a.orgId }, orderBy: { id: 'asc' } }),
    p.call.findMany({ where: { campaign: { organizationId: a.orgId } }, orderBy: { id: 'asc' } }),
    p.agent.findMany({ where: { organizationId: a.orgId }, orderBy: { id: 'asc' } }),
    p.apiKey.findMany({ where: { organizationId: a.orgId }, orderBy: { id: 'asc' }, omit: { lastUsedAt: true } }),
    p.doNotCallEntry.findMany({ where: { organizationId: a.orgId } }),
    p.campaignEvent.count({ where: { campaign: { organizationId: a.orgId } } }),
  ]);
  return { org, campaigns, calls, agents, keys, dnc, events };
}

/** The type an id argument refers to, from its name and the operation's. */
function targetOf(argName: string, fieldName: string): string {
  if (argName === 'campaignId' || argName === 'sourceId') return 'Campaign';
  if (argName === 'agentId') return 'Agent';
  for (const type of ['ApiKey', 'Agent', 'Campaign', 'CallAttempt', 'Call']) if (fieldName.toLowerCase().includes(type.toLowerCase())) return type;
  return 'Campaign';
}

/** A value for an input type: ids point at `idFor`'s objects, everything else is plain and valid-looking. */
function valueFor(type: GraphQLInputType, name: string, field: string, idFor: Record<string, string>, depth = 0): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [valueFor(nullable.ofType, name, field, idFor, depth + 1)];
  if (isEnumType(nullable)) return nullable.getValues()[0]!.value;
  if (isInputObjectType(nullable)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(nullable.getFields())) {
      if (isNonNullType(f.type) || /id$/i.test(f.name)) out[f.name] = valueFor(f.type, f.name, field, idFor, depth + 1);
    }
    return out;
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'ID':
        return idFor[targetOf(name, field)];
      case 'Int':
        return 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'DateTime':
        return new Date(Date.now() + 86_400_000).toISOString();
      case 'JSON':
        return {};
      default:
        return /phone|number/i.test(name) ? '+14155550100' : 'x';
    }
  }
  return null;
}

const mentionsAnId = (arg: GraphQLArgument): boolean => {
  const seen = new Set<string>();
  const walk = (type: GraphQLInputType): boolean => {
    const named = getNamedType(type);
    if (isScalarType(named)) return named.name === 'ID';
    if (!isInputObjectType(named) || seen.has(named.name)) return false;
    seen.add(named.name);
    return Object.values(named.getFields()).some((f) =>
      isScalarType(getNamedType(f.type)) ? getNamedType(f.type).name === 'ID' && /id$/i.test(f.name) : walk(f.type),
    );
  };
  return walk(arg.type);
};

/** The answer with every id of A's objects and of the unknown ones written alike. */
const normalise = (body: unknown) => {
  let text = JSON.stringify(body);
  for (const id of [...Object.values(ids), ...Object.values(random)]) text = text.replaceAll(id, '<id>');
  return JSON.parse(text);
};

describe('isolation, walked from the schema', () => {
  it('node(id) and nodes(ids) of every node type: null for another organisation, as for an unknown id', async () => {
    const node = schema.getType('Node');
    if (!isInterfaceType(node)) throw new Error('no Node interface');
    const types = schema.getPossibleTypes(node).map((type) => type.name);
    expect(types.sort()).toEqual(Object.keys(ids).sort()); // a new node type needs an object here
    for (const type of types) {
      const query = 'query($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }';
      expect((await as(a, query, { id: ids[type], ids: [ids[type]] })).data.node, `A reads its own ${type}`).not.toBeNull();
      const theirs = await as(b, query, { id: ids[type], ids: [ids[type]] });
      expect(theirs, type).toEqual({ data: { node: null, nodes: [null] } });
    }
  });

  it('every Query field taking an id answers another organisation’s id as it answers an unknown one', async () => {
    for (const field of Object.values(schema.getQueryType()!.getFields())) {
      const idArgs = field.args.filter((arg) => getNamedType(arg.type).name === 'ID');
      if (idArgs.length === 0 || field.name === 'node' || field.name === 'nodes') continue;
      const defs = field.args.filter((arg) => isNonNullType(arg.type)).map((arg) => `$${arg.name}: ${arg.type.toString()}`);
      const query = `query(${defs.join(', ')}) { ${field.name}(${field.args
        .filter((arg) => isNonNullType(arg.type))
        .map((arg) => `${arg.name}: $${arg.name}`)
        .join(', ')}) { __typename } }`;
      const vars = (idFor: Record<string, string>) =>
        Object.fromEntries(field.args.filter((arg) => isNonNullType(arg.type)).map((arg) => [arg.name, valueFor(arg.type, arg.name, field.name, idFor)]));
      const theirs = await as(b, query, vars(ids));
      const unknown = await as(b, query, vars(random));
      expect(normalise(theirs), field.name).toEqual(normalise(unknown));
    }
  });

  it('every mutation naming an object: B changes nothing of A’s and gets the answer an unknown id gets', async () => {
    const before = await stateOfA();
    let tried = 0;
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      if (!field.args.some(mentionsAnId)) continue; // acts on the caller's own organisation only
      if (field.args.some((arg) => JSON.stringify(valueFor(arg.type, arg.name, field.name, ids)).includes('"File"'))) continue;
      const input = field.args.find((arg) => arg.name === 'input');
      if (input && getNamedType(input.type).toString().includes('Import')) continue; // multipart: checked in the import tests
      const defs = field.args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
      const query = `mutation(${defs}) { ${field.name}(${field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ')}) { __typename ... on Error { message } ... on NotFound { id typename } } }`;
      const vars = (idFor: Record<string, string>) => Object.fromEntries(field.args.map((arg) => [arg.name, valueFor(arg.type, arg.name, field.name, idFor)]));
      const theirs = await as(b, query, vars(ids));
      const unknown = await as(b, query, vars(random));
      expect(JSON.stringify(theirs), field.name).not.toMatch(/Payload"/);
      expect(normalise(theirs), field.name).toEqual(normalise(unknown));
      tried++;
    }
    expect(tried).toBeGreaterThanOrEqual(12);
    expect(await stateOfA()).toEqual(before);
  });

  it('every subscription refuses another organisation’s campaign as it refuses an unknown one', async () => {
    for (const field of Object.values(schema.getSubscriptionType()!.getFields())) {
      const required = field.args.filter((arg) => isNonNullType(arg.type));
      // Takes no id: organisation-wide by construction (campaignsUpdated; its isolation is in realtime.campaigns-updated).
      if (required.length === 0) continue;
      const query = `subscription(${required.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ')}) { ${field.name}(${required.map((arg) => `${arg.name}: $${arg.name}`).join(', ')}) { __typename } }`;
      const run = async (idFor: Record<string, string>) => {
        const response = await t.yoga.fetch('http://callboard.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${b.key}` },
          body: JSON.stringify({ query, variables: Object.fromEntries(required.map((arg) => [arg.name, valueFor(arg.type, arg.name, field.name, idFor)])) }),
        });
        const text = await response.text(); // refused subscriptions end at once
        return text.replaceAll(ids.Campaign!, '<id>').replaceAll(random.Campaign!, '<id>');
      };
      const theirs = await run(ids);
      expect(theirs, field.name).toMatch(/NOT_FOUND|not found/i);
      expect(theirs, field.name).toEqual(await run(random));
    }
  });
});
