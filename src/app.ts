import type { Config } from './config.ts';
import { openMigratedDatabase, type Database } from './db/client.ts';
import { createLogger, type Logger } from './logger.ts';
import { closeRealtime } from './realtime/campaign-stream.ts';
import { createCallboardPubSub, type CallboardPubSub } from './realtime/pubsub.ts';

/** The composition root: what every process (API, worker) shares. Built once, closed once. */
export interface App {
  config: Config;
  logger: Logger;
  db: Database;
  pubsub: CallboardPubSub;
  close(): Promise<void>;
}

export async function createApp(config: Config, options: { db?: Database; logger?: Logger } = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db =
    options.db ??
    (await openMigratedDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir }));
  const pubsub = createCallboardPubSub(config.redisUrl);
  const app: App = {
    config,
    logger,
    db,
    pubsub,
    async close() {
      // Subscriptions first: their streams poll the database and listen on the bus closed next.
      closeRealtime(app);
      await pubsub.close();
      await db.close();
    },
  };
  return app;
}
