/**
 * Retell (an AI voice agent platform that places the phone call and runs the conversation)
 * behind the provider contract of dialer/provider.ts.
 *
 * - Dialing: `create-phone-call` with our attempt id in the metadata, and never retried. Retell
 *   has no idempotency key, so a create that timed out or failed on Retell's side may have placed
 *   the call: that attempt is "in doubt" for `createDoubtMs`, during which lookups refuse to
 *   answer; after it, `list-calls` by the attempt id in the metadata says whether it exists.
 * - Results: webhooks land in the provider inbox (POST /webhooks/retell →
 *   services/provider-events.ts); every worker polls the inbox and hands final results to its
 *   listeners. A webhook that never comes costs nothing but time: the worker looks overdue calls
 *   up with `get-call`.
 */
import Retell, { APIConnectionError, APIError } from 'retell-sdk';
import type { App } from '../../app.ts';
import type { RetellConfig } from '../../config.ts';
import { RETELL, RetellCall } from '../../domain/retell-outcomes.ts';
import { pruneProviderEvents, takeProviderEvents } from '../../services/provider-events.ts';
import type { DialAccepted, DialRequest, ProviderLookup, ResultListener, TelephonyProvider } from '../provider.ts';
import { isFinal, lookupOf, resultOf, type ReadOptions } from './retell-results.ts';

export type RetellProviderOptions = {
  config: RetellConfig;
  app: App;
  /** A create that has not answered after this long is abandoned (and the attempt is in doubt). */
  createTimeoutMs?: number;
  /** Every other request (get-call, list-calls). */
  requestTimeoutMs?: number;
  /** How long an attempt whose create failed ambiguously stays in doubt; longer than Retell takes to register a call. */
  createDoubtMs?: number;
  /** See ReadOptions.analysisWaitMs. */
  analysisWaitMs?: number;
  /** How often the inbox is polled for webhooks. */
  inboxPollMs?: number;
  onError?: (error: unknown) => void;
};

export const RETELL_DEFAULTS = {
  createTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  createDoubtMs: 30_000,
  analysisWaitMs: 120_000,
  inboxPollMs: 250,
};

/** Retell's dynamic variables are strings: the contact's name and columns, flattened. */
export function dynamicVariables(variables: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    if (value === null || value === undefined) continue;
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** Failures after which the call may exist anyway: no answer in time, or an error on Retell's side. */
function mayHaveCreated(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true; // timeouts included
  return error instanceof APIError && (error.status === undefined || error.status >= 500 || error.status === 408 || error.status === 409);
}

export class RetellProvider implements TelephonyProvider {
  /** Whether Retell accepts the key (one list-calls of one item): what `callboard doctor` asks. */
  static async check(config: RetellConfig): Promise<{ ok: boolean; detail: string }> {
    const client = new Retell({ apiKey: config.apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: 5000 });
    try {
      await client.call.list({ limit: 1 });
      return { ok: true, detail: 'API key accepted' };
    } catch (error) {
      const status = error instanceof APIError && error.status ? ` (HTTP ${error.status})` : '';
      return { ok: false, detail: `${error instanceof Error ? error.message : String(error)}${status}` };
    }
  }

  readonly name = RETELL;
  private readonly client: Retell;
  private readonly opts: typeof RETELL_DEFAULTS;
  private readonly listeners = new Set<ResultListener>();
  /** attemptId → when its create failed ambiguously. */
  private readonly doubt = new Map<string, number>();
  private poller: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  private polling: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: RetellProviderOptions) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => typeof v === 'number'));
    this.opts = { ...RETELL_DEFAULTS, ...defined };
    // maxRetries 0: the SDK would retry a create on 408/409/429/5xx and could place the call twice.
    this.client = new Retell({ apiKey: options.config.apiKey, baseURL: options.config.baseUrl, maxRetries: 0, timeout: this.opts.requestTimeoutMs });
  }

  private read(): ReadOptions {
    return { analysisKeys: this.options.config.analysisKeys, analysisWaitMs: this.opts.analysisWaitMs, now: Date.now() };
  }

  async dial(request: DialRequest): Promise<DialAccepted> {
    if (this.closed) throw new Error('the Retell provider is closed');
    try {
      const call = await this.client.call.createPhoneCall(
        {
          from_number: this.options.config.fromNumber,
          to_number: request.to,
          ...(request.agent.providerAgentId ? { override_agent_id: request.agent.providerAgentId } : {}),
          retell_llm_dynamic_variables: dynamicVariables(request.variables),
          metadata: { attempt_id: request.attemptId, call_id: request.callId },
        },
        { timeout: this.opts.createTimeoutMs, maxRetries: 0 },
      );
      return { providerCallId: call.call_id };
    } catch (error) {
      if (mayHaveCreated(error)) this.doubt.set(request.attemptId, Date.now());
      throw new Error(`Retell create-phone-call failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  async lookup(providerCallId: string): Promise<ProviderLookup> {
    return lookupOf(await this.client.call.retrieve(providerCallId), this.read());
  }

  async lookupByAttempt(attemptId: string): Promise<ProviderLookup> {
    const since = this.doubt.get(attemptId);
    if (since !== undefined) {
      if (Date.now() - since < this.opts.createDoubtMs) {
        throw new Error(`the create of attempt ${attemptId} is in doubt for ${this.opts.createDoubtMs} ms; asking again later`);
      }
      this.doubt.delete(attemptId);
    }
    const page = await this.client.call.list({
      filter_criteria: { metadata: [{ key: 'attempt_id', op: 'eq', type: 'string', value: attemptId }] },
      limit: 10,
    });
    const [call, ...others] = page.items;
    if (!call) return { state: 'unknown' };
    if (others.length > 0) this.options.onError?.(new Error(`Retell holds ${page.items.length} calls for attempt ${attemptId}`));
    return lookupOf(call, this.read());
  }

  onResult(listener: ResultListener): () => void {
    this.listeners.add(listener);
    if (!this.poller && !this.closed) this.poller = setInterval(() => void this.pollInbox(), this.opts.inboxPollMs);
    return () => this.listeners.delete(listener);
  }

  /** Takes the webhooks received since the last poll and delivers the final results among them. */
  private pollInbox(): Promise<void> {
    // Without a listener, an event taken here would be dropped: leave it to a worker that listens.
    if (this.polling || this.closed || this.listeners.size === 0) return this.polling ?? Promise.resolve();
    this.polling = (async () => {
      try {
        for (;;) {
          const events = await takeProviderEvents(this.options.app, this.name, 200);
          for (const { payload } of events) await this.deliver(payload);
          if (events.length < 200 || this.closed) break;
        }
        // Hourly, whichever worker gets there: applied events past their retention go.
        if (Date.now() - this.lastPrune > 3_600_000) {
          this.lastPrune = Date.now();
          await pruneProviderEvents(this.options.app);
        }
      } catch (error) {
        if (!this.closed) this.options.onError?.(error);
      } finally {
        this.polling = null;
      }
    })();
    return this.polling;
  }

  /** call_started, or call_ended before its analysis, are not final: the later event (or a lookup) is. */
  private async deliver(payload: unknown): Promise<void> {
    const parsed = RetellCall.safeParse(payload);
    if (!parsed.success) return this.options.onError?.(new Error(`unreadable Retell call in a webhook: ${parsed.error.message}`));
    const read = this.read();
    if (!isFinal(parsed.data, read)) return;
    const result = resultOf(parsed.data, read);
    if (!result) return; // a call placed by someone else with the same Retell account
    for (const listener of this.listeners) {
      try {
        await listener(result);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    await this.polling;
    this.listeners.clear();
  }
}
