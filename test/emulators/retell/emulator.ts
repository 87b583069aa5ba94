/**
 * A local Retell, faithful to the contract callboard uses (retell-sdk 5.66):
 *   POST /v2/create-phone-call   Bearer key; E.164 from/to (400); 201 { call_id, call_status: registered, … }
 *   GET  /v2/get-call/{id}       the call as it is at this moment (its clock decides)
 *   POST /v3/list-calls          filter_criteria.metadata [{ key, op: eq, type: string, value }]
 *   webhooks                     { event, call } signed with the SDK's own `sign`, retried on non-2xx
 * Each call runs registered → ongoing (call_started) → ended (call_ended) → analysed
 * (call_analyzed), or straight to not_connected / error; how it ends depends on its destination
 * number (scenarios.ts). `calls` is the emulator's own call log: the ledger tests count dials in.
 * Faults are switched on through `faults` (see EmulatorFaults).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from 'retell-sdk';
import { scenarioOf, type Scenario } from './scenarios.ts';
import { callAt, type EmulatedCall, type Timings } from './call-state.ts';

export type EmulatorFaults = {
  /** Statuses the next creates answer with, one each, without creating anything (429, 500…). */
  createErrors: number[];
  /** The next this many creates register the call, then answer only after `slowCreateMs`. */
  slowCreates: number;
  slowCreateMs: number;
  /** Every webhook is sent twice. */
  duplicateWebhooks: boolean;
  /** call_analyzed goes out before call_ended (and call_started last). */
  reorderWebhooks: boolean;
  /** Webhooks are signed with another key, or a timestamp 10 minutes old. */
  signature: 'good' | 'bad' | 'stale';
  /** No webhook is ever sent (get-call still tells the truth). */
  dropWebhooks: boolean;
};

export type WebhookRecord = { event: string; callId: string; status: number | 'error'; attempt: number };

export type RetellEmulatorOptions = {
  apiKey?: string;
  /** Where webhooks go (an agent's webhook_url in real Retell); none: not sent. */
  webhookUrl?: string;
  timings?: Partial<Timings>;
  /** How many times a webhook is sent before the emulator gives up (Retell retries). */
  webhookAttempts?: number;
  webhookRetryMs?: number;
  webhookTimeoutMs?: number;
  forceScenarios?: Record<string, string>;
  port?: number;
};

const E164 = /^\+[1-9]\d{6,14}$/;

const noFaults = (): EmulatorFaults => ({
  createErrors: [],
  slowCreates: 0,
  slowCreateMs: 0,
  duplicateWebhooks: false,
  reorderWebhooks: false,
  signature: 'good',
  dropWebhooks: false,
});

export class RetellEmulator {
  readonly apiKey: string;
  webhookUrl: string | undefined;
  readonly calls: EmulatedCall[] = [];
  readonly webhooks: WebhookRecord[] = [];
  readonly faults: EmulatorFaults = noFaults();
  private readonly byId = new Map<string, EmulatedCall>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly timings: Timings;
  private server: Server | null = null;
  private closed = false;
  url = '';

  constructor(private readonly options: RetellEmulatorOptions = {}) {
    this.apiKey = options.apiKey ?? `key_emulator_${randomBytes(6).toString('hex')}`;
    this.webhookUrl = options.webhookUrl;
    this.timings = { ringMs: 40, talkMs: 120, analysisMs: 60, ...options.timings };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Back to a well-behaved Retell (calls in flight keep the faults they were created with). */
  resetFaults(): void {
    Object.assign(this.faults, noFaults());
  }

  /** Dials per callboard attempt id: any value above 1 is a duplicate call. */
  callsPerAttempt(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.calls) out.set(c.metadata.attempt_id, (out.get(c.metadata.attempt_id) ?? 0) + 1);
    return out;
  }

  /** The call as get-call shows it now. */
  view(callId: string, now = Date.now()) {
    const call = this.byId.get(callId);
    return call ? callAt(call, now) : null;
  }

  private later(ms: number, work: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) work();
    }, ms);
    this.timers.add(timer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return send(401, { error_message: 'Invalid API key' });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    try {
      if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(400, { error_message: 'Invalid JSON body' });
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (req.method === 'POST' && url.pathname === '/v2/create-phone-call') return this.create(body, send);
    const get = /^\/v2\/get-call\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && get) {
      const call = this.view(decodeURIComponent(get[1]!));
      return call ? send(200, call) : send(404, { error_message: 'Call not found' });
    }
    if (req.method === 'POST' && url.pathname === '/v3/list-calls') return this.list(body, send);
    send(404, { error_message: `Not found: ${req.method} ${url.pathname}` });
  }

  private async create(body: Record<string, unknown>, send: (status: number, body: unknown) => void): Promise<void> {
    const injected = this.faults.createErrors.shift();
    if (injected) return send(injected, { error_message: `injected failure ${injected}` });
    const { from_number: from, to_number: to, override_agent_id: agent, retell_llm_dynamic_variables: vars, metadata } = body as Record<string, never>;
    if (typeof from !== 'string' || !E164.test(from)) return send(400, { error_message: 'from_number must be E.164' });
    if (typeof to !== 'string' || !E164.test(to)) return send(400, { error_message: 'to_number must be E.164' });
    if (vars !== undefined && (typeof vars !== 'object' || Object.values(vars).some((v) => typeof v !== 'string'))) {
      return send(400, { error_message: 'retell_llm_dynamic_variables must map strings to strings' });
    }
    const scenario: Scenario = scenarioOf(to, this.options.forceScenarios);
    const call: EmulatedCall = {
      call_id: `call_${randomBytes(12).toString('hex')}`,
      agent_id: typeof agent === 'string' ? agent : 'agent_emulator_default',
      from_number: from,
      to_number: to,
      metadata: (metadata ?? {}) as EmulatedCall['metadata'],
      dynamic: (vars ?? {}) as Record<string, string>,
      createdAt: Date.now(),
      scenario,
      timings: this.timings,
    };
    this.calls.push(call);
    this.byId.set(call.call_id, call);
    this.schedule(call);
    const reply = () => send(201, callAt(call, Date.now()));
    if (this.faults.slowCreates > 0) {
      this.faults.slowCreates--;
      this.later(this.faults.slowCreateMs, reply);
    } else reply();
  }

  private list(body: Record<string, unknown>, send: (status: number, body: unknown) => void): void {
    const criteria = (body.filter_criteria ?? {}) as { metadata?: { key?: string; op: string; type: string; value: unknown }[] };
    const unsupported = Object.keys(criteria).filter((k) => k !== 'metadata');
    if (unsupported.length) {
      send(400, { error_message: `the emulator filters by metadata only (got ${unsupported.join(', ')})` });
      return;
    }
    const filters = criteria.metadata ?? [];
    if (filters.some((f) => f.op !== 'eq' || f.type !== 'string' || !f.key)) {
      send(400, { error_message: 'metadata filters: { key, op: eq, type: string, value }' });
      return;
    }
    const now = Date.now();
    const limit = typeof body.limit === 'number' ? body.limit : 50;
    const items = this.calls
      .filter((c) => filters.every((f) => (c.metadata as Record<string, unknown>)[f.key!] === f.value))
      .slice(0, limit)
      .map((c) => callAt(c, now));
    send(200, { items, has_more: false });
  }

  /** Webhooks at each transition (the clock of call-state.ts), with the faults applied. */
  private schedule(call: EmulatedCall): void {
    const { ringMs, talkMs, analysisMs } = call.timings;
    const endAt = call.scenario.connected ? ringMs + talkMs : ringMs;
    // [event, the moment its snapshot is of, when it is sent]
    const events: [string, number, number][] = call.scenario.connected ? [['call_started', ringMs, ringMs]] : [];
    events.push(['call_ended', endAt, endAt], ['call_analyzed', endAt + analysisMs, endAt + analysisMs]);
    if (this.faults.reorderWebhooks) {
      // Each snapshot is of its own moment, but they all go out after the last one, newest first.
      const last = events.at(-1)![2];
      for (const [i, e] of [...events].reverse().entries()) e[2] = last + i * 10;
    }
    if (this.faults.dropWebhooks) return;
    for (const [event, of, at] of events) {
      const snapshot = () => callAt(call, call.createdAt + of);
      this.later(at, () => void this.sendWebhook(event, call.call_id, snapshot(), 1));
      if (this.faults.duplicateWebhooks) this.later(at + 15, () => void this.sendWebhook(event, call.call_id, snapshot(), 1));
    }
  }

  private async signature(body: string): Promise<string> {
    if (this.faults.signature === 'bad') return sign(body, `${this.apiKey}-wrong`);
    if (this.faults.signature === 'stale') {
      const v = Date.now() - 10 * 60_000;
      return `v=${v},d=${createHmac('sha256', this.apiKey)
        .update(body + v)
        .digest('hex')}`;
    }
    return sign(body, this.apiKey);
  }

  private async sendWebhook(event: string, callId: string, snapshot: unknown, attempt: number): Promise<void> {
    if (!this.webhookUrl || this.closed) return;
    const body = JSON.stringify({ event, call: snapshot });
    let status: number | 'error';
    try {
      const res = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-retell-signature': await this.signature(body) },
        body,
        signal: AbortSignal.timeout(this.options.webhookTimeoutMs ?? 10_000),
      });
      status = res.status;
      await res.body?.cancel();
    } catch {
      status = 'error';
    }
    this.webhooks.push({ event, callId, status, attempt });
    const ok = typeof status === 'number' && status >= 200 && status < 300;
    if (!ok && attempt < (this.options.webhookAttempts ?? 3)) {
      this.later(this.options.webhookRetryMs ?? 200, () => void this.sendWebhook(event, callId, snapshot, attempt + 1));
    }
  }
}
