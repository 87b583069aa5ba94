import type { CampaignAction, CampaignStatus } from './lifecycle.ts';

/**
 * Expected failures of the domain. Services throw them; the GraphQL layer turns each into a typed
 * member of the mutation's result union (plugin-errors). Anything else thrown is a bug and masked.
 */
export class DomainError extends Error {}

export class NotFoundError extends DomainError {
  constructor(
    readonly typename: string,
    readonly id: string,
  ) {
    // No id in the message: services hold database ids, and the `id` field shows the global one.
    super(`${typename} was not found (it does not exist, was deleted, or belongs to another organisation)`);
    this.name = 'NotFound';
  }
}

export class InvalidCampaignTransitionError extends DomainError {
  constructor(
    readonly status: CampaignStatus,
    readonly action: CampaignAction,
  ) {
    super(`cannot ${action.toLowerCase().replace(/_/g, ' ')} a campaign that is ${status}`);
    this.name = 'InvalidCampaignTransition';
  }
}

export interface FieldError {
  path: string[];
  message: string;
}

export class ValidationError extends DomainError {
  constructor(readonly fieldErrors: FieldError[]) {
    super(fieldErrors.map((e) => (e.path.length ? `${e.path.join('.')}: ${e.message}` : e.message)).join('; '));
    this.name = 'ValidationError';
  }

  static of(path: string[], message: string): ValidationError {
    return new ValidationError([{ path, message }]);
  }
}

/** An upload past the size limit: a ValidationError on `file` (GraphQL shows it as one), 413 over HTTP. */
export class UploadTooLargeError extends ValidationError {
  constructor(readonly limitBytes: number) {
    super([{ path: ['file'], message: `the file is larger than the upload limit of ${limitBytes} bytes (CALLBOARD_MAX_UPLOAD_BYTES); nothing was imported` }]);
    this.name = 'ValidationError';
  }
}

/** completeCampaign while calls are still to be worked on: the campaign would end with them open. */
export class CallsStillOpenError extends DomainError {
  constructor(readonly openCalls: number) {
    super(`${openCalls} call(s) are still pending, waiting for a retry or in progress: stop the campaign to cancel them, or wait until they are done`);
    this.name = 'CallsStillOpen';
  }
}

export class InsufficientBalanceError extends DomainError {
  constructor(readonly balanceSeconds: number) {
    super('the organisation has no calling minutes left; add minutes before resuming');
    this.name = 'InsufficientBalance';
  }
}

export class VersionConflictError extends DomainError {
  constructor(readonly currentVersion: number) {
    super(`the campaign changed since you read it (current version ${currentVersion})`);
    this.name = 'VersionConflict';
  }
}

export class OutsideCallingWindowError extends DomainError {
  constructor(
    readonly timezone: string,
    readonly nextEligibleAt: Date | null,
    reason: string,
  ) {
    super(`not now: ${reason}${nextEligibleAt ? `; it may be placed from ${nextEligibleAt.toISOString()}` : ''}`);
    this.name = 'OutsideCallingWindow';
  }
}
