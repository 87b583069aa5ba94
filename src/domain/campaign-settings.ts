/**
 * Campaign settings as clients send them (weekday names, "HH:MM" clocks), validated once, here,
 * and turned into the values the dialer works with. Every caller — create, update, the CLI —
 * asks this module; the calling-window rules themselves live in calling-window.ts.
 */
import { z } from 'zod';
import { CallingWindowSchema, isValidTimeZone, parseClock, WEEKDAYS } from './calling-window.ts';
import { ValidationError, type FieldError } from './errors.ts';
import { RetryPolicySchema, type RetryPolicyInput } from './retry-policy.ts';

/** Dials per contact: 20 at most — beyond that a number is harassed, not called. */
export const MAX_ATTEMPTS_LIMIT = 20;
/** Calls in progress per campaign: 1000 at most, far above what one provider account allows. */
export const MAX_CONCURRENT_CALLS_LIMIT = 1000;
/** Callbacks at the person's request, per contact: 5 at most. */
export const MAX_CALLBACKS_LIMIT = 5;

const Clock = z.string().refine((s) => parseClock(s) !== null, 'use HH:MM (00:00–24:00)');

const SettingsSchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT).nullish(),
    maxConcurrentCalls: z.number().int().min(1).max(MAX_CONCURRENT_CALLS_LIMIT).nullish(),
    timezone: z.string().refine(isValidTimeZone, 'not an IANA time zone').nullish(),
    callingWindow: z
      .object({ days: z.array(z.enum(WEEKDAYS)).min(1, 'at least one day'), start: Clock, end: Clock })
      // A day named twice is the same day: kept once, in ISO order.
      .transform((w) => ({
        days: [...new Set(w.days.map((d) => WEEKDAYS.indexOf(d) + 1))].sort((a, b) => a - b),
        start: parseClock(w.start)!,
        end: parseClock(w.end)!,
      }))
      .pipe(CallingWindowSchema)
      .nullish(),
    clampToLegalHours: z.boolean().nullish(),
    autoComplete: z.boolean().nullish(),
    maxCallbacks: z.number().int().min(0).max(MAX_CALLBACKS_LIMIT).nullish(),
    // The dialer's own schema: only retryable outcomes, partial overrides (resolveRetryPolicy
    // assumes input validated by it, so a looser check here would store rules it then ignores).
    retryPolicy: RetryPolicySchema.nullish(),
  })
  .nullish();

/** Validated settings; an omitted field is absent (unchanged); retryPolicy null = the built-in defaults. */
export interface CampaignSettings {
  maxAttempts?: number;
  maxConcurrentCalls?: number;
  timezone?: string;
  callingWindow?: { days: number[]; start: number; end: number };
  retryPolicy?: RetryPolicyInput | null;
  clampToLegalHours?: boolean;
  autoComplete?: boolean;
  maxCallbacks?: number;
}

/** Validates client input; throws ValidationError with paths under `settings` listing every problem. */
export function parseCampaignSettings(input: unknown): CampaignSettings {
  const parsed = SettingsSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error, ['settings']));
  const s = parsed.data ?? {};
  const out: CampaignSettings = {};
  if (s.maxAttempts != null) out.maxAttempts = s.maxAttempts;
  if (s.maxConcurrentCalls != null) out.maxConcurrentCalls = s.maxConcurrentCalls;
  if (s.timezone != null) out.timezone = s.timezone;
  if (s.callingWindow) out.callingWindow = s.callingWindow;
  if (s.retryPolicy !== undefined) out.retryPolicy = s.retryPolicy;
  if (s.clampToLegalHours != null) out.clampToLegalHours = s.clampToLegalHours;
  if (s.autoComplete != null) out.autoComplete = s.autoComplete;
  if (s.maxCallbacks != null) out.maxCallbacks = s.maxCallbacks;
  return out;
}

/** A campaign or agent name: trimmed, 1–200 characters. */
const NameSchema = z.string().trim().min(1, 'must not be empty').max(200);

export function parseName(name: string, path = ['name']): string {
  const parsed = NameSchema.safeParse(name);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error, path));
  return parsed.data;
}

export function fieldErrors(error: z.ZodError, prefix: string[]): FieldError[] {
  return error.issues.map((i) => ({ path: [...prefix, ...i.path.map(String)], message: i.message }));
}
