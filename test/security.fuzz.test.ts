import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.ts';
import { encodeId } from '../src/schema/common/ids.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addContactsOk } from './helpers/calls.ts';
import { makeCampaign } from './helpers/campaigns.ts';

/**
 * Operations and variables generated from the schema, sent to the real server: whatever a client
 * sends, the answer is never a 5xx nor an unmasked internal error ("Unexpected error."), and a
 * refused request writes nothing. Bounded (a few hundred cases) so it runs in every CI.
 */
let t: TestApp;
let org: TestOrg;
const known: string[] = [];

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  const c = await makeCampaign(org, 'fuzzed');
  await addContactsOk(org, { campaignId: c.id, contacts: [{ phoneNumber: '+14155550100' }, { phoneNumber: '+14155550101' }] });
  known.push(c.id, encodeId('Agent', (await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: c.dbId } })).agentId!));
});
afterAll(() => t?.close());

const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '0',
    '-1',
    '9'.repeat(40),
    '\u0000',
    'a\u0000b',
    '\uffff',
    '%_\\',
    "'; DROP TABLE call; --",
    '+1',
    '+14155550100',
    '24:00',
    '9999-12-31T23:59:59Z',
    'not-a-uuid',
  ),
  fc.uuid().map((u) => encodeId('Campaign', u)),
  fc.constantFrom(...['Campaign', 'Call', 'Agent', 'ApiKey', 'CallAttempt'].map((type) => encodeId(type, '00000000-0000-4000-8000-000000000001'))),
);

function arbitraryFor(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  const nullable = getNullableType(type);
  const maybeNull = <T>(arb: fc.Arbitrary<T>) =>
    isNonNullType(type) ? arb : fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(nullable)) return maybeNull(fc.array(arbitraryFor(nullable.ofType, depth + 1), { maxLength: depth > 2 ? 1 : 3 }));
  if (isEnumType(nullable)) return maybeNull(fc.oneof(fc.constantFrom(...nullable.getValues().map((v) => v.value)), fc.constant('NOT_A_VALUE')));
  if (isInputObjectType(nullable)) {
    if (depth > 3) return fc.constant({});
    const fields = Object.values(nullable.getFields());
    return maybeNull(
      fc.record(Object.fromEntries(fields.map((f) => [f.name, arbitraryFor(f.type, depth + 1)])), {
        requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
      }),
    );
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'ID':
        return maybeNull(fc.oneof(fc.constantFrom(...known), nasty));
      case 'Int':
        return maybeNull(fc.oneof(fc.integer(), fc.constantFrom(0, -1, 100, 101, 2 ** 31 - 1)));
      case 'Float':
        return maybeNull(fc.double({ noNaN: true, noDefaultInfinity: true }));
      case 'Boolean':
        return maybeNull(fc.boolean());
      case 'DateTime':
        return maybeNull(
          fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            nasty,
          ),
        );
      case 'JSON':
        return maybeNull(fc.jsonValue({ maxDepth: 3 }));
      case 'File':
        return fc.constant(null);
      default:
        return maybeNull(nasty);
    }
  }
  return fc.constant(null);
}

/** A selection for a field's result: __typename, and the message of any error member. */
function selectionFor(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (isUnionType(named)) return '{ __typename ... on Error { message } }';
  if (isObjectType(named)) return '{ __typename }';
  return '{ __typename }';
}

const operationArb = fc
  .constantFrom(
    ...[
      ...Object.values(schema.getQueryType()!.getFields()).map((f) => ['query', f] as const),
      ...Object.values(schema.getMutationType()!.getFields()).map((f) => ['mutation', f] as const),
    ],
  )
  .chain(([kind, field]) =>
    fc.record(Object.fromEntries(field.args.map((arg) => [arg.name, arbitraryFor(arg.type, 0)]))).map((variables) => ({ kind, field, variables })),
  );

async function rowCounts() {
  const p = t.app.db.prisma;
  return Promise.all([
    p.campaign.count(),
    p.call.count(),
    p.agent.count(),
    p.apiKey.count(),
    p.doNotCallEntry.count(),
    p.balanceTransaction.count(),
    p.campaignEvent.count(),
  ]);
}

describe('fuzzing the API from its schema', () => {
  it('never answers a client’s mistake with a 5xx or an internal error, and a refused request writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(operationArb, async ({ kind, field, variables }) => {
        const defs = field.args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
        const call = `${field.name}${field.args.length ? `(${field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ')})` : ''}`;
        const query = `${kind}${defs ? `(${defs})` : ''} { ${call} ${selectionFor(field)} }`;
        const before = await rowCounts();
        const response = await t.yoga.fetch('http://callboard.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
          body: JSON.stringify({ query, variables }),
        });
        expect(response.status, query).toBeLessThan(500);
        const body = (await response.json()) as { data?: Record<string, { __typename?: string } | null>; errors?: { message: string }[] };
        const messages = (body.errors ?? []).map((e) => e.message);
        expect(messages, `${query} ${JSON.stringify(variables)}`).not.toContain('Unexpected error.');
        const refused = (body.errors?.length ?? 0) > 0 || !/Payload$/.test(body.data?.[field.name]?.__typename ?? 'Payload');
        if (kind === 'mutation' && refused) expect(await rowCounts(), `${query} ${JSON.stringify(variables)}`).toEqual(before);
      }),
      // FUZZ_RUNS / FUZZ_SEED widen a local run; CI runs the same 300 cases every time.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261130 },
    );
  }, 180_000);
});
