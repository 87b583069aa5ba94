import type { Campaign } from '../../db/generated/prisma/client.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { MAX_CONTACTS_PER_REQUEST } from '../../domain/contacts.ts';
import type { RejectedRow, RowIssue } from '../../services/contact-stage.ts';
import { addContacts, CSV_REPORT_LIMIT, importContacts, type ContactsReport } from '../../services/contacts.ts';
import { builder } from '../builder.ts';
import { ImportJobRef } from './import-jobs.ts';
import { CallOutcomeEnum } from '../common/enums.ts';
import { InvalidCampaignTransitionError, ValidationError } from '../common/errors.ts';
import { campaignIdOf } from '../campaign/mutations.ts';
import { CampaignRef } from '../campaign/campaign.ts';

const CONTACT_ERRORS = [NotFoundError, ValidationError, InvalidCampaignTransitionError];

const ROW_DESCRIPTION =
  '0-based index of the contact: its index in `contacts` for addContacts, the index of the data record (header not counted) for importContacts.';

const RejectedContact = builder.objectRef<RejectedRow>('RejectedContact').implement({
  description: 'A contact that was not made dialable: its call exists with status SKIPPED and this outcome.',
  fields: (t) => ({
    row: t.exposeInt('row', { description: ROW_DESCRIPTION }),
    line: t.exposeInt('line', { nullable: true, description: 'For a CSV upload, the 1-based line of the file (the header is line 1); null for addContacts.' }),
    phoneNumber: t.exposeString('phoneNumber', { description: 'The number as normalised (E.164), or as given when it was invalid.' }),
    outcome: t.field({ type: CallOutcomeEnum, resolve: (r) => r.outcome, description: 'INVALID_NUMBER, DUPLICATE or DO_NOT_CALL.' }),
    reason: t.exposeString('reason', { description: 'Why, for humans.' }),
  }),
});

const ContactWarning = builder.objectRef<RowIssue>('ContactWarning').implement({
  description: 'A contact that was added after a correction (e.g. an unknown time zone was dropped, so the campaign’s zone applies).',
  fields: (t) => ({
    row: t.exposeInt('row', { description: ROW_DESCRIPTION }),
    line: t.exposeInt('line', { nullable: true, description: 'For a CSV upload, the 1-based line of the file (the header is line 1); null for addContacts.' }),
    phoneNumber: t.exposeString('phoneNumber', { description: 'The number as normalised (E.164).' }),
    reason: t.exposeString('reason', { description: 'What was corrected.' }),
  }),
});

function reportPayload(name: string, description: string, limit: number) {
  return builder.objectRef<ContactsReport & { jobId?: string }>(name).implement({
    description,
    fields: (t) => ({
      campaign: t.field({ type: CampaignRef, resolve: (r): Campaign => r.campaign, description: 'The campaign after the upload (stats included).' }),
      added: t.exposeInt('added', { description: 'Contacts that became PENDING calls.' }),
      skipped: t.exposeInt('skipped', { description: 'Contacts stored as SKIPPED calls (invalid number, duplicate, do-not-call).' }),
      rejected: t.field({
        type: [RejectedContact],
        resolve: (r) => r.rejected,
        description: `The skipped contacts with the reason, in upload order (the first ${limit.toLocaleString('en-US')}).`,
      }),
      rejectedCount: t.exposeInt('rejectedCount', { description: 'All skipped contacts, listed or not.' }),
      warnings: t.field({
        type: [ContactWarning],
        resolve: (r) => r.warnings,
        description: `Added contacts that needed a correction, in upload order (the first ${limit.toLocaleString('en-US')}).`,
      }),
      warningCount: t.exposeInt('warningCount', { description: 'All added contacts with a warning, listed or not.' }),
    }),
  });
}

const ContactInput = builder.inputType('ContactInput', {
  description: 'One contact to call.',
  fields: (t) => ({
    name: t.string({ description: 'Name, used by the agent to greet (up to 200 characters; longer is cut, with a warning).' }),
    phoneNumber: t.string({
      required: true,
      description: 'Phone number, international (+14155550123) or national with `defaultCountry`. Invalid numbers are stored as SKIPPED / INVALID_NUMBER.',
    }),
    timezone: t.string({
      description: 'IANA time zone of the contact for the calling window; an unknown zone is dropped (the campaign’s applies) and reported in `warnings`.',
    }),
    variables: t.field({ type: 'JSON', description: 'Extra values for the agent’s script, as a JSON object { name: value } (up to 16 KB).' }),
  }),
});

const AddContactsInput = builder.inputType('AddContactsInput', {
  description: `Contacts to append to a campaign (at most ${MAX_CONTACTS_PER_REQUEST.toLocaleString('en-US')}; use importContacts for bigger lists).`,
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'The campaign (DRAFT, SCHEDULED, RUNNING or PAUSED).' }),
    contacts: t.field({ type: [ContactInput], required: true, description: 'The contacts, in the order they should be called.' }),
    defaultCountry: t.string({ description: 'ISO 3166-1 alpha-2 country (e.g. "US") for numbers written without +country code.' }),
  }),
});

builder.mutationField('addContacts', (t) =>
  t.field({
    type: reportPayload('AddContactsPayload', 'What addContacts did, row by row.', MAX_CONTACTS_PER_REQUEST),
    description:
      'Appends contacts to a campaign, also while it runs. Numbers are normalised to E.164; invalid numbers, numbers already in the campaign (or repeated in the list) and numbers on the do-not-call list are kept as SKIPPED calls and reported in `rejected`. All or nothing: on an error nothing is added.',
    errors: { types: CONTACT_ERRORS, directResult: true, union: { name: 'AddContactsResult', description: 'AddContactsPayload or a typed error.' } },
    args: { input: t.arg({ type: AddContactsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      addContacts(ctx.app, ctx.orgId, {
        actor: ctx.actor,
        campaignId: campaignIdOf(input.campaignId),
        defaultCountry: input.defaultCountry,
        contacts: input.contacts.map((c) => ({
          name: c.name,
          phoneNumber: c.phoneNumber,
          timezone: c.timezone,
          variables: c.variables as Record<string, unknown> | null | undefined,
        })),
      }),
  }),
);

const ImportContactsInput = builder.inputType('ImportContactsInput', {
  description: 'A CSV file of contacts, sent as a GraphQL multipart request.',
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'The campaign (DRAFT, SCHEDULED, RUNNING or PAUSED).' }),
    file: t.field({
      type: 'File',
      required: true,
      description:
        'CSV (UTF-8; comma, semicolon or tab separated) with a header row. Recognised columns: name, phone (or phone_number, phoneNumber, number, mobile), timezone; every other column becomes a variable.',
    }),
    defaultCountry: t.string({ description: 'ISO 3166-1 alpha-2 country (e.g. "US") for numbers written without +country code.' }),
  }),
});

const ImportContactsPayload = reportPayload('ImportContactsPayload', 'What importContacts did, row by row.', CSV_REPORT_LIMIT);

builder.objectField(ImportContactsPayload, 'job', (t) =>
  t.field({
    type: ImportJobRef,
    description: 'The upload as an ImportJob (also listed in Campaign.imports).',
    resolve: (report, _args, ctx) => ctx.db.prisma.importJob.findUniqueOrThrow({ where: { id: report.jobId! } }),
  }),
);

builder.mutationField('importContacts', (t) =>
  t.field({
    type: ImportContactsPayload,
    description:
      'Imports contacts from a CSV file sent as a GraphQL multipart request (up to 25 MB; for larger lists, POST the file to /imports/campaigns/{id}/contacts.csv, which streams any size). Same rules as addContacts. All or nothing: a bad file adds nothing.',
    errors: { types: CONTACT_ERRORS, directResult: true, union: { name: 'ImportContactsResult', description: 'ImportContactsPayload or a typed error.' } },
    args: { input: t.arg({ type: ImportContactsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      importContacts(ctx.app, ctx.orgId, {
        campaignId: campaignIdOf(input.campaignId),
        file: input.file,
        defaultCountry: input.defaultCountry,
        actor: ctx.actor,
      }),
  }),
);
