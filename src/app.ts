import type { Config } from './config.ts';
import { openMigratedDatabase, type Database } from './db/client.ts';
import { createLogger, type Logger } from './logger.ts';
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
  close(): Promise<void>;
}

export async function createApp(config: Config, options: { db?: Database; logger?: Logger } = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db =
    options.db ??
    (await openMigratedDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir }));
  const pubsub = createCallboardPubSub(config.redisUrl);
  const realtime = new CampaignStreamHub(db, pubsub, logger);
  return {
    config,
    logger,
    db,
    pubsub,
    realtime,
    async close() {
      // Subscriptions first: their streams poll the database and listen on the bus closed next.
      realtime.close();
      await pubsub.close();
      await db.close();
    },
  };
}
