import { builder } from '../builder.ts';
import { totalCountField } from '../common/connection.ts';

const DoNotCallSourceEnum = builder.enumType('DoNotCallSource', {
  description: 'How a number got on the do-not-call list.',
  values: {
    API: { description: 'addDoNotCallNumbers.' },
    IMPORT: { description: 'importDoNotCallNumbers (a CSV file).' },
  } as const,
});

const BalanceTransactionKindEnum = builder.enumType('BalanceTransactionKind', {
  description: 'Kinds of balance changes.',
  values: {
    OPENING: { description: 'The balance the organisation started with.' },
    TOP_UP: { description: 'Minutes added (addMinutes).' },
    CALL_CHARGE: { description: 'Connected talk time of calls, billed when their results were applied.' },
    ADJUSTMENT: { description: 'A correction by an operator.' },
  } as const,
});

export const OrganizationRef = builder.prismaObject('Organization', {
  description: 'The tenant that owns the API key in use. Everything you see belongs to it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Organisation id.' }),
    name: t.exposeString('name', { description: 'Name.' }),
    balanceSeconds: t.exposeInt('balanceSeconds', {
      description: [
        'Calling balance in seconds; it always equals the sum of balanceTransactions. At zero, running campaigns pause with',
        'OUT_OF_MINUTES and resume by themselves after addMinutes. Calls already in progress when it reaches zero finish and are',
        'billed, so it can go below zero by at most their talk time (maxConcurrentCalls × the longest call, per running campaign).',
      ].join(' '),
    }),
    balanceMinutes: t.float({ description: 'Calling balance in minutes.', resolve: (o) => o.balanceSeconds / 60 }),
    contactLimit: t.exposeInt('contactLimit', {
      nullable: true,
      description: 'Plan limit of unique phone numbers ever dialed; null means unlimited. Calls to new numbers beyond it FAIL with PLAN_LIMIT_EXCEEDED.',
    }),
    contactsUsed: t.exposeInt('contactsUsed', {
      description: 'Unique phone numbers dialed so far (each counts once, whatever the campaign), against contactLimit.',
    }),
    doNotCall: t.relatedConnection(
      'doNotCall',
      {
        cursor: 'organizationId_phoneNumber',
        description: 'The do-not-call list, newest entries first. Numbers on it are never dialed (checked again at every dial).',
        args: { search: t.arg.string({ description: 'Only numbers containing these digits (e.g. "415555").' }) },
        query: (args) => ({
          where: args.search ? { phoneNumber: { contains: args.search.replace(/\D/g, '') } } : {},
          orderBy: [{ createdAt: 'desc' }, { phoneNumber: 'asc' }],
        }),
        totalCount: true,
      },
      {
        description: 'A page of do-not-call entries.',
        fields: (c) => ({ totalCount: totalCountField(c, 'Entries matching the search.') }),
      },
      { description: 'One do-not-call entry.' },
    ),
    balanceTransactions: t.relatedConnection(
      'balanceTransactions',
      {
        cursor: 'id',
        description: 'Every change of the balance, newest first: the opening balance, top-ups, call charges and adjustments.',
        query: () => ({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
        totalCount: true,
      },
      {
        description: 'A page of balance transactions.',
        fields: (c) => ({ totalCount: totalCountField(c, 'All balance transactions of the organisation.') }),
      },
      { description: 'One balance transaction.' },
    ),
  }),
});

builder.prismaObject('DoNotCallEntry', {
  description: 'A number the organisation must never call.',
  fields: (t) => ({
    phoneNumber: t.exposeString('phoneNumber', { description: 'E.164 number.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why it is listed, as given when it was added.' }),
    source: t.expose('source', { type: DoNotCallSourceEnum, description: 'How it was added.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was added; no dial of the number starts after this.' }),
  }),
});

builder.prismaObject('BalanceTransaction', {
  description: 'One change of the calling balance.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Transaction id.' }),
    kind: t.expose('kind', { type: BalanceTransactionKindEnum, description: 'What changed the balance.' }),
    deltaSeconds: t.exposeInt('deltaSeconds', { description: 'Seconds added (positive) or charged (negative).' }),
    balanceAfterSeconds: t.exposeInt('balanceAfterSeconds', { description: 'The balance right after this change.' }),
    note: t.exposeString('note', { nullable: true, description: 'The top-up’s note, or what a charge was for.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it happened.' }),
  }),
});

builder.queryField('organization', (t) =>
  t.prismaField({
    type: 'Organization',
    description: 'The organisation of the API key in use.',
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.organization.findUniqueOrThrow({ ...query, where: { id: ctx.orgId } }),
  }),
);
