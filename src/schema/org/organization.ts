import { builder } from '../builder.ts';

builder.prismaObject('Organization', {
  description: 'The tenant that owns the API key in use. Everything you see belongs to it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Organisation id.' }),
    name: t.exposeString('name', { description: 'Name.' }),
    balanceSeconds: t.exposeInt('balanceSeconds', {
      description: 'Calling balance in seconds. At zero, running campaigns pause with OUT_OF_MINUTES.',
    }),
    balanceMinutes: t.float({ description: 'Calling balance in minutes.', resolve: (o) => o.balanceSeconds / 60 }),
    contactLimit: t.exposeInt('contactLimit', {
      nullable: true,
      description: 'Plan limit of unique contacts; null means unlimited.',
    }),
  }),
});

builder.queryField('organization', (t) =>
  t.prismaField({
    type: 'Organization',
    description: 'The organisation of the API key in use.',
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.organization.findUniqueOrThrow({ ...query, where: { id: ctx.orgId } }),
  }),
);
