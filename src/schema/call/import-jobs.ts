import { jobStatus } from '../../services/import-jobs.ts';
import { builder } from '../builder.ts';
import { nodeId } from '../common/scope.ts';

// CSV uploads as they run and after: Campaign.imports and ImportContactsPayload.job.

const ImportStatusEnum = builder.enumType('ImportStatus', {
  description: 'Where a CSV upload stands.',
  values: {
    RUNNING: { description: 'Rows are being read; none is added until the whole file is in.' },
    SUCCEEDED: { description: 'Every row was read and the contacts were added (see added and skipped).' },
    FAILED: { description: 'Nothing was added: the file was refused, the upload was cut off, or the server stopped (see error).' },
  },
});

export const ImportJobRef = builder.prismaNode('ImportJob', {
  description: 'One CSV upload of contacts into a campaign: progress while it runs, the outcome after.',
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id: nodeId(id), organizationId: ctx.orgId }),
  nullable: true,
  fields: (t) => ({
    status: t.field({
      type: ImportStatusEnum,
      description: 'RUNNING, SUCCEEDED or FAILED. A RUNNING upload nobody has heard of for 10 minutes reads as FAILED (its server stopped).',
      resolve: (job) => jobStatus(job),
    }),
    rowsRead: t.exposeInt('rowsRead', {
      description: 'Data rows read so far (updated about every second on PostgreSQL; at the end only on the embedded database).',
    }),
    bytesRead: t.float({ description: 'Bytes of the file read so far.', resolve: (job) => Number(job.bytesRead) }),
    added: t.exposeInt('added', { nullable: true, description: 'Contacts that became PENDING calls; null until it SUCCEEDED.' }),
    skipped: t.exposeInt('skipped', { nullable: true, description: 'Contacts stored as SKIPPED calls; null until it SUCCEEDED.' }),
    error: t.string({
      nullable: true,
      description: 'Why it FAILED.',
      resolve: (job) => job.error ?? (jobStatus(job) === 'FAILED' ? 'the upload was cut off (the server stopped); nothing was added' : null),
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the upload began.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last progress.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it SUCCEEDED or FAILED.' }),
  }),
});

builder.prismaObjectField('Campaign', 'imports', (t) =>
  t.relation('importJobs', {
    description: 'The campaign’s 20 latest CSV uploads, newest first (RUNNING ones show their progress).',
    query: { orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: 20 },
  }),
);
