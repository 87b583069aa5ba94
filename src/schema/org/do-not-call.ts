import {
  addDoNotCallNumbers,
  importDoNotCallNumbers,
  MAX_NUMBERS_PER_REQUEST,
  removeDoNotCallNumbers,
  type AddReport,
} from '../../services/do-not-call-list.ts';
import { builder } from '../builder.ts';
import { ValidationError } from '../common/errors.ts';

// The do-not-call list, changed by ADMIN keys. Numbers are checked again at every dial.

const RejectedNumber = builder.objectRef<{ index: number; reason: string }>('RejectedNumber').implement({
  description: 'A number that could not be read.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: '0-based position in `numbers` (for a file: 0-based data row).' }),
    reason: t.exposeString('reason', { description: 'Why it was refused.' }),
  }),
});

const addFields = (description: string) =>
  builder.objectRef<AddReport>(description).implement({
    description: 'What the do-not-call list and the calls look like now.',
    fields: (t) => ({
      added: t.exposeInt('added', { description: 'Numbers newly put on the list.' }),
      alreadyListed: t.exposeInt('alreadyListed', { description: 'Numbers that were on the list already.' }),
      rejected: t.field({
        type: [RejectedNumber],
        resolve: (r) => r.rejected,
        description: 'Numbers that are not valid phone numbers (at most 1,000 listed).',
      }),
      callsSkipped: t.exposeInt('callsSkipped', {
        description: 'Waiting calls (PENDING or RETRY_SCHEDULED) of these numbers, in every campaign, now SKIPPED / DO_NOT_CALL.',
      }),
    }),
  });

const AddDoNotCallNumbersInput = builder.inputType('AddDoNotCallNumbersInput', {
  description: `Numbers to put on the do-not-call list (at most ${MAX_NUMBERS_PER_REQUEST.toLocaleString('en-US')}; import a CSV file for more).`,
  fields: (t) => ({
    numbers: t.stringList({ required: true, description: 'Phone numbers, international or national with defaultCountry.' }),
    defaultCountry: t.string({ description: 'ISO 3166-1 alpha-2 country (e.g. "US") for numbers written without +country code.' }),
    reason: t.string({ description: 'Why, kept with each entry (e.g. "asked not to be called"), up to 500 characters.' }),
  }),
});

builder.mutationField('addDoNotCallNumbers', (t) =>
  t.field({
    type: addFields('AddDoNotCallNumbersPayload'),
    authScopes: { admin: true },
    description: [
      'Puts numbers on the organisation’s do-not-call list (ADMIN keys). Their waiting calls in every campaign become',
      'SKIPPED / DO_NOT_CALL, and the dialer checks the list again when it claims each call: once this mutation has',
      'answered, none of these numbers is dialed again.',
    ].join(' '),
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { name: 'AddDoNotCallNumbersResult', description: 'AddDoNotCallNumbersPayload or a typed error.' },
    },
    args: { input: t.arg({ type: AddDoNotCallNumbersInput, required: true }) },
    resolve: (_root, { input }, ctx) => addDoNotCallNumbers(ctx.app, ctx.orgId, { ...input, actor: ctx.actor }),
  }),
);

const ImportDoNotCallNumbersInput = builder.inputType('ImportDoNotCallNumbersInput', {
  description: 'A CSV file of numbers for the do-not-call list, sent as a GraphQL multipart request.',
  fields: (t) => ({
    file: t.field({
      type: 'File',
      required: true,
      description: 'CSV with a header row and a phone column (phone, phone_number, phoneNumber, number or mobile); other columns are ignored.',
    }),
    defaultCountry: t.string({ description: 'ISO 3166-1 alpha-2 country (e.g. "US") for numbers written without +country code.' }),
    reason: t.string({ description: 'Why, kept with each entry, up to 500 characters.' }),
  }),
});

builder.mutationField('importDoNotCallNumbers', (t) =>
  t.field({
    type: addFields('ImportDoNotCallNumbersPayload'),
    authScopes: { admin: true },
    description: 'Puts every number of a CSV file on the do-not-call list (ADMIN keys; streamed, any size). Same effects as addDoNotCallNumbers.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { name: 'ImportDoNotCallNumbersResult', description: 'ImportDoNotCallNumbersPayload or a typed error.' },
    },
    args: { input: t.arg({ type: ImportDoNotCallNumbersInput, required: true }) },
    resolve: (_root, { input }, ctx) => importDoNotCallNumbers(ctx.app, ctx.orgId, { ...input, actor: ctx.actor }),
  }),
);

const RemoveDoNotCallNumbersInput = builder.inputType('RemoveDoNotCallNumbersInput', {
  description: 'Numbers to take off the do-not-call list.',
  fields: (t) => ({
    numbers: t.stringList({ required: true, description: 'Phone numbers, international or national with defaultCountry.' }),
    defaultCountry: t.string({ description: 'ISO 3166-1 alpha-2 country for numbers written without +country code.' }),
  }),
});

const RemoveDoNotCallNumbersPayload = builder
  .objectRef<{ removed: number; rejected: { index: number; reason: string }[] }>('RemoveDoNotCallNumbersPayload')
  .implement({
    description: 'What was taken off the list.',
    fields: (t) => ({
      removed: t.exposeInt('removed', { description: 'Entries removed. Calls already SKIPPED stay skipped: add the contacts again to call them.' }),
      rejected: t.field({ type: [RejectedNumber], resolve: (r) => r.rejected, description: 'Numbers that are not valid phone numbers.' }),
    }),
  });

builder.mutationField('removeDoNotCallNumbers', (t) =>
  t.field({
    type: RemoveDoNotCallNumbersPayload,
    authScopes: { admin: true },
    description: 'Takes numbers off the do-not-call list (ADMIN keys).',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { name: 'RemoveDoNotCallNumbersResult', description: 'RemoveDoNotCallNumbersPayload or a typed error.' },
    },
    args: { input: t.arg({ type: RemoveDoNotCallNumbersInput, required: true }) },
    resolve: (_root, { input }, ctx) => removeDoNotCallNumbers(ctx.app, ctx.orgId, { ...input, actor: ctx.actor }),
  }),
);
