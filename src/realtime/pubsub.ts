import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';

/** What travels on the bus: ids and a sequence, never row data (subscribers re-fetch once per event). */
export interface CampaignEventMessage {
  campaignId: string;
  sequence: number;
  kind: string;
  callId: string | null;
  /** Call status after the change, so callUpdated can filter without a database read. */
  callStatus: string | null;
  /** When the event was appended (ISO 8601); absent from publishers that predate it. */
  createdAt?: string;
}

export type CallboardTopics = {
  'campaign:event': [campaignId: string, message: CampaignEventMessage];
  /** A key was revoked: every process forgets it (auth/key-cache.ts). */
  'apikey:revoked': [keyId: string];
};

export type CallboardPubSub = PubSub<CallboardTopics> & { close(): Promise<void> };

/**
 * In-process pub/sub by default; with REDIS_URL, Yoga's Redis event target so that events
 * published by a worker process reach subscribers on every API process.
 */
export function createCallboardPubSub(redisUrl?: string): CallboardPubSub {
  if (!redisUrl) return Object.assign(createPubSub<CallboardTopics>(), { close: async () => {} });
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
  const pubsub = createPubSub<CallboardTopics>({ eventTarget });
  return Object.assign(pubsub, {
    async close() {
      // quit() lets commands already sent (a last UNSUBSCRIBE of a closing subscription, a
      // PUBLISH) finish; disconnect() would fail them with "Connection is closed".
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  });
}
