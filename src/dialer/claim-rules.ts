/**
 * The claim's per-call decisions that need no database: in which zone(s) a recipient is judged,
 * and whether the window is open there now.
 */
import type { CallingWindow, Eligibility } from '../domain/calling-window.ts';
import { recipientZones, type RecipientZones } from '../domain/recipient-zone.ts';
import { eligibilityInZones } from '../domain/recipient-window.ts';
import { variablesObject } from '../domain/contacts.ts';
import type { LockedCampaign } from '../services/campaign-lock.ts';

/** The campaign's window as the domain reads it (ISO weekdays; Monday–Friday when unset). */
export function campaignWindow(campaign: LockedCampaign): CallingWindow {
  return {
    days: campaign.calling_days ?? [1, 2, 3, 4, 5],
    start: campaign.calling_start,
    end: campaign.calling_end,
    legalHours: campaign.clamp_to_legal_hours,
  };
}

export type Judgement = RecipientZones & { eligibility: Eligibility };

/** Judges calls of one campaign at one instant; recipients sharing zones share one computation. */
export class WindowJudge {
  private readonly byZones = new Map<string, Eligibility>();

  constructor(
    readonly window: CallingWindow,
    private readonly campaignZone: string,
    readonly now: Date,
  ) {}

  judge(call: { timezone: string | null; phone_number: string }): Judgement {
    const found = recipientZones(call.timezone, call.phone_number, this.campaignZone);
    const key = found.zones.join(' ');
    let e = this.byZones.get(key);
    if (!e) {
      e = eligibilityInZones(this.window, found.zones, this.now);
      this.byZones.set(key, e);
    }
    return { ...found, eligibility: e };
  }
}

/** The contact's columns for the script, with its name under `name` unless a column says otherwise. */
export function variablesOf(row: { variables: unknown; name: string }): Record<string, unknown> {
  const vars = { ...variablesObject(row.variables) };
  if (row.name && vars.name === undefined) vars.name = row.name;
  return vars;
}
