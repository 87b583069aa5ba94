import {
  CallsStillOpenError,
  type DomainError,
  InsufficientBalanceError,
  InvalidCampaignTransitionError,
  NotFoundError,
  OutsideCallingWindowError,
  ValidationError,
  VersionConflictError,
} from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { builder } from '../builder.ts';
import { encodeId } from './ids.ts';
import { CampaignActionEnum, CampaignStatusEnum } from './enums.ts';

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure of a mutation. Check `__typename` for the kind.',
  fields: (t) => ({ message: t.exposeString('message', { description: 'What went wrong, for humans.' }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFound',
  description: 'The object does not exist, was deleted, or belongs to another organisation.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    typename: t.exposeString('typename', { description: 'The type that was looked up.' }),
    // Services look rows up by database id; clients only ever know global ids, so one is shown.
    id: t.id({ description: 'The (global) id that was looked up.', resolve: (e) => (isUuid(e.id) ? encodeId(e.typename, e.id) : e.id) }),
  }),
});

builder.objectType(InvalidCampaignTransitionError, {
  name: 'InvalidCampaignTransition',
  description: 'The action is not allowed in the campaign’s current status.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    status: t.expose('status', { type: CampaignStatusEnum, description: 'The campaign’s status.' }),
    action: t.expose('action', { type: CampaignActionEnum, description: 'The refused action.' }),
  }),
});

const FieldErrorRef = builder.objectRef<{ path: string[]; message: string }>('FieldError').implement({
  description: 'One invalid input field.',
  fields: (t) => ({
    path: t.exposeStringList('path', { description: 'Path to the field inside `input`, e.g. ["settings","maxAttempts"].' }),
    message: t.exposeString('message', { description: 'Why the value was refused.' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'Some input was invalid; nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fieldErrors: t.field({ type: [FieldErrorRef], resolve: (e) => e.fieldErrors, description: 'Each invalid field.' }),
  }),
});

builder.objectType(CallsStillOpenError, {
  name: 'CallsStillOpen',
  description: 'The campaign still has calls to work on; completeCampaign is possible once none is open.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ openCalls: t.exposeInt('openCalls', { description: 'Calls pending, waiting for a retry or in progress.' }) }),
});

builder.objectType(InsufficientBalanceError, {
  name: 'InsufficientBalance',
  description: 'The organisation has no calling minutes left.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    balanceSeconds: t.exposeInt('balanceSeconds', { description: 'Remaining balance in seconds.' }),
  }),
});

builder.objectType(VersionConflictError, {
  name: 'VersionConflict',
  description: 'expectedVersion did not match: someone else changed the campaign first. Nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    currentVersion: t.exposeInt('currentVersion', { description: 'The campaign’s version now.' }),
  }),
});

builder.objectType(OutsideCallingWindowError, {
  name: 'OutsideCallingWindow',
  description: 'The recipient’s calling window is closed now (in their time zone); nothing was queued.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    timezone: t.exposeString('timezone', { description: 'The recipient’s time zone where the window is closed.' }),
    nextEligibleAt: t.expose('nextEligibleAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the call could be placed; null if the window never opens in all the recipient’s possible zones.',
    }),
  }),
});

/** Error lists for mutation fields, so every mutation declares the same kinds the same way. */
export const LIFECYCLE_ERRORS = [NotFoundError, InvalidCampaignTransitionError, VersionConflictError, ValidationError];
export const INPUT_ERRORS = [NotFoundError, ValidationError];
export {
  CallsStillOpenError,
  InsufficientBalanceError,
  NotFoundError,
  OutsideCallingWindowError,
  ValidationError,
  VersionConflictError,
  InvalidCampaignTransitionError,
};
