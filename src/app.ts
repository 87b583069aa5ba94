import { ApiKeyCache } from './auth/key-cache.ts';
import type { Config } from './config.ts';
import { openMigratedDatabase, type Database } from './db/client.ts';
import { createLogger, type Logger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { CampaignStreamHub } from './realtime/hub.ts';
import { createCallboardPubSub, type CallboardPubSub } from './realtime/pubsub.ts';

/** The composition root: what every process (API, worker) shares. Built once, closed once. */
export interface App {
  config: Config;
  logger: Logger;
  db: Database;
  pubsub: CallboardPubSub;
  /** This process's event streams (subscriptions); idle — no timer, no query — until someone subscribes. */
  realtime: CampaignStreamHub;
  /** This process's counters for GET /metrics. */
  metrics: Metrics;
  /** API keys checked once and remembered; revocations reach every process (auth/key-cache.ts). */
  keys: ApiKeyCache;
  close(): Promise<void>;
}

export async function createApp(config: Config, options: { db?: Database; logger?: Logger } = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = options.db ?? (await openMigratedDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir }));
  const pubsub = createCallboardPubSub(config.redisUrl);
  const realtime = new CampaignStreamHub(db, pubsub, logger);
  const keys = new ApiKeyCache(db.prisma, pubsub, logger);
  return {
    config,
    logger,
    db,
    pubsub,
    realtime,
    // Process metrics (CPU, memory, event loop) start timers: not in tests, which build many Apps.
    metrics: new Metrics({ processMetrics: config.nodeEnv !== 'test' }),
    keys,
    async close() {
      await keys.close();
      // Subscriptions first: their streams poll the database and listen on the bus closed next.
      realtime.close();
      await pubsub.close();
      await db.close();
    },
  };
}
