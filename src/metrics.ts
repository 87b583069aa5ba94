/**
 * What `GET /metrics` shows (Prometheus text format, prom-client): one registry per App, so a
 * process's numbers are its own and tests read exact values. The API counts operations, errors
 * and open streams; the dialer counts what it claims, dials, finishes, renews, takes over and
 * looks up. Labels are bounded: outcomes and error codes are enums, operation names are capped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Client-chosen operation names past this many distinct ones are counted as "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export class Metrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private readonly inFlightSources = new Set<() => number>();
  private readonly streamSources = new Set<() => { sockets: number; subscriptions: number }>();

  readonly operations = new Counter({
    name: 'callboard_graphql_operations_total',
    help: 'GraphQL operations executed, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });
  readonly operationSeconds = new Histogram({
    name: 'callboard_graphql_operation_duration_seconds',
    help: 'Time to execute a GraphQL query or mutation (subscriptions: until the first result).',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'callboard_graphql_errors_total',
    help: 'Errors returned by GraphQL operations, by extensions.code (INTERNAL for masked ones).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly callsClaimed = new Counter({ name: 'callboard_calls_claimed_total', help: 'Campaign calls claimed by dialer workers.', registers: [this.registry] });
  readonly callsDialed = new Counter({ name: 'callboard_calls_dialed_total', help: 'Campaign calls the provider accepted.', registers: [this.registry] });
  readonly dialFailures = new Counter({
    name: 'callboard_dial_failures_total',
    help: 'Dials the provider refused or that failed in doubt.',
    registers: [this.registry],
  });
  readonly callsFinished = new Counter({
    name: 'callboard_calls_finished_total',
    help: 'Attempts whose result was applied, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly leaseRenewals = new Counter({ name: 'callboard_lease_renewals_total', help: 'Call leases renewed.', registers: [this.registry] });
  readonly leaseTakeovers = new Counter({
    name: 'callboard_lease_takeovers_total',
    help: 'Calls taken over from a worker whose lease expired.',
    registers: [this.registry],
  });
  readonly reconciliations = new Counter({
    name: 'callboard_reconciliations_total',
    help: 'Lookups at the provider of calls in doubt or overdue, by answer (finished, in-progress, unknown, error).',
    labelNames: ['answer'] as const,
    registers: [this.registry],
  });
  readonly providerErrors = new Counter({
    name: 'callboard_provider_errors_total',
    help: 'Errors the telephony provider reported.',
    registers: [this.registry],
  });
  readonly claimSeconds = new Histogram({
    name: 'callboard_claim_duration_seconds',
    help: 'Time of one claim transaction (one campaign).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: 'callboard_events_published_total',
    help: 'Campaign events published to subscribers.',
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'callboard_webhook_deliveries_total',
    help: 'Outgoing webhook delivery attempts, by result (delivered, failed).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly providerWebhooks = new Counter({
    name: 'callboard_provider_webhooks_total',
    help: 'Webhooks received from the provider, by result (recorded, repeated, refused).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics: boolean }) {
    const sources = this.inFlightSources;
    const streams = this.streamSources;
    new Gauge({
      name: 'callboard_calls_in_flight',
      help: 'Calls this process’s workers hold (claimed, dialing or waiting for a result).',
      registers: [this.registry],
      collect() {
        this.set([...sources].reduce((sum, count) => sum + count(), 0));
      },
    });
    new Gauge({
      name: 'callboard_websocket_connections',
      help: 'Open graphql-ws connections.',
      registers: [this.registry],
      collect() {
        this.set([...streams].reduce((sum, s) => sum + s().sockets, 0));
      },
    });
    new Gauge({
      name: 'callboard_subscriptions_open',
      help: 'Open subscriptions (WebSocket and SSE).',
      registers: [this.registry],
      collect() {
        this.set([...streams].reduce((sum, s) => sum + s().subscriptions, 0));
      },
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'callboard_' });
  }

  /** A label for a client-chosen operation name that cannot grow the series without bound. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }

  /** Counts what `count` returns in callboard_calls_in_flight; returns the unregister function. */
  trackInFlight(count: () => number): () => void {
    this.inFlightSources.add(count);
    return () => this.inFlightSources.delete(count);
  }

  trackStreams(count: () => { sockets: number; subscriptions: number }): () => void {
    this.streamSources.add(count);
    return () => this.streamSources.delete(count);
  }
}
