import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      dataDir: path.resolve('.callboard'),
      databaseUrl: undefined,
      redisUrl: undefined,
      bootstrapKey: undefined,
      simulator: { speed: 1, seed: 1 },
      graphiql: false,
      corsOrigins: [],
    });
  });

  it('reads an empty variable as unset, not as port 0 or a too-short key', () => {
    expect(loadConfig({ PORT: '', CALLBOARD_BOOTSTRAP_KEY: '', DATABASE_URL: '' })).toMatchObject({
      port: 4000,
      bootstrapKey: undefined,
      databaseUrl: undefined,
    });
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      CALLBOARD_DATA_DIR: '/var/lib/callboard',
      DATABASE_URL: 'postgresql://db/callboard',
      REDIS_URL: 'redis://cache:6379',
      CALLBOARD_BOOTSTRAP_KEY: 'a-long-enough-key-123',
      CALLBOARD_SIMULATOR_SPEED: '1000',
      CALLBOARD_SIMULATOR_SEED: '7',
      NODE_ENV: 'production',
      CALLBOARD_GRAPHIQL: '1',
      CALLBOARD_CORS_ORIGINS: 'https://app.example.com, https://admin.example.com',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/var/lib/callboard',
      databaseUrl: 'postgresql://db/callboard',
      redisUrl: 'redis://cache:6379',
      bootstrapKey: 'a-long-enough-key-123',
      simulator: { speed: 1000, seed: 7 },
      graphiql: true,
      corsOrigins: ['https://app.example.com', 'https://admin.example.com'],
    });
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://db' }, 'DATABASE_URL must be a postgres:// URL'],
    [{ REDIS_URL: 'http://cache' }, 'REDIS_URL must be a redis:// URL'],
    [{ CALLBOARD_BOOTSTRAP_KEY: 'short' }, 'at least 16 characters'],
    [{ CALLBOARD_BOOTSTRAP_KEY: 'has a space in the middle' }, 'without spaces'],
    [{ CALLBOARD_SIMULATOR_SPEED: '0' }, 'CALLBOARD_SIMULATOR_SPEED'],
  ])('refuses %j, naming the problem', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
