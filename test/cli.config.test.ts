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
    [{ CALLBOARD_PROVIDER: 'twilio' }, 'CALLBOARD_PROVIDER'],
    [{ CALLBOARD_PROVIDER: 'retell' }, 'RETELL_API_KEY: required when CALLBOARD_PROVIDER=retell'],
    [{ CALLBOARD_PROVIDER: 'retell', RETELL_API_KEY: 'key_1', CALLBOARD_PUBLIC_URL: 'https://cb.example.com' }, 'RETELL_FROM_NUMBER: required'],
    [{ CALLBOARD_PROVIDER: 'retell', RETELL_API_KEY: 'key_1', RETELL_FROM_NUMBER: '+14155550100' }, 'CALLBOARD_PUBLIC_URL: required'],
    [{ RETELL_FROM_NUMBER: '415 555 0100' }, 'RETELL_FROM_NUMBER must be an E.164 number'],
  ])('refuses %j, naming the problem', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads the Retell settings, with the analysis keys defaulted', () => {
    const config = loadConfig({
      CALLBOARD_PROVIDER: 'retell',
      RETELL_API_KEY: 'key_abc',
      RETELL_FROM_NUMBER: '+14155550100',
      CALLBOARD_PUBLIC_URL: 'https://cb.example.com/',
      RETELL_CALLBACK_AT_KEY: 'when',
    });
    expect(config).toMatchObject({
      provider: 'retell',
      publicUrl: 'https://cb.example.com',
      retell: {
        apiKey: 'key_abc',
        baseUrl: 'https://api.retellai.com',
        fromNumber: '+14155550100',
        analysisKeys: { meetingBooked: 'meeting_booked', callbackRequested: 'callback_requested', callbackAt: 'when' },
      },
    });
    expect(loadConfig({}).retell).toBeUndefined();
  });
});
