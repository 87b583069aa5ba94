import path from 'node:path';
import { z } from 'zod';
import type { RetellAnalysisKeys } from './domain/retell-outcomes.ts';

// Environment is parsed once, here; the rest of the code receives a Config.
export const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  CALLBOARD_DATA_DIR: z.string().default('./.callboard'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL')
    .optional(),
  // Sent as `Bearer <key>`: no whitespace, and at most the 200 characters authenticate() accepts.
  CALLBOARD_BOOTSTRAP_KEY: z
    .string()
    .min(16, 'CALLBOARD_BOOTSTRAP_KEY must be at least 16 characters')
    .max(200, 'CALLBOARD_BOOTSTRAP_KEY must be at most 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'CALLBOARD_BOOTSTRAP_KEY must be printable ASCII without spaces')
    .optional(),
  CALLBOARD_SIMULATOR_SPEED: z.coerce.number().positive().default(1),
  CALLBOARD_SIMULATOR_SEED: z.coerce.number().int().default(1),
  CALLBOARD_SIMULATOR_LEDGER: z.string().optional(),
  CALLBOARD_WORKER_ID: z.string().optional(),
  // Operation limits (src/limits.ts); the defaults allow any dashboard query and refuse the
  // nested and aliased ones that took a server down (see README "Security model").
  CALLBOARD_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  CALLBOARD_MAX_COMPLEXITY: z.coerce.number().int().min(1).default(25_000),
  CALLBOARD_MAX_BREADTH: z.coerce.number().int().min(1).default(500),
  CALLBOARD_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  CALLBOARD_MAX_TOKENS: z.coerce.number().int().min(1).default(5_000),
  CALLBOARD_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(50),
  CALLBOARD_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).default(50),
  CALLBOARD_MAX_SUBSCRIPTIONS_PER_KEY: z.coerce.number().int().min(1).default(200),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
  // GraphiQL is a page anyone who reaches the port can load: only when asked for (npm start does).
  CALLBOARD_GRAPHIQL: z.enum(['0', '1']).default('0'),
  // Browsers may call the API from these origins (comma-separated); none by default.
  CALLBOARD_CORS_ORIGINS: z.string().optional(),
  // CSV uploads (POST /imports/…) stream to the database; this bounds one upload (1 GiB by default).
  CALLBOARD_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 ** 3),
  // A GraphQL request (multipart uploads included, which are held in memory whole): 25 MB, Yoga's default.
  CALLBOARD_MAX_GRAPHQL_BODY_BYTES: z.coerce.number().int().min(1024).default(25_000_000),
  // The base URL clients (and providers' webhooks) reach this server at: export links are absolute with it.
  CALLBOARD_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  // GET /metrics: open to anyone who reaches the port unless this is set (then `Bearer <token>` only).
  CALLBOARD_METRICS_TOKEN: z
    .string()
    .min(16, 'CALLBOARD_METRICS_TOKEN must be at least 16 characters')
    .regex(/^[\x21-\x7e]+$/, 'CALLBOARD_METRICS_TOKEN must be printable ASCII without spaces')
    .optional(),
  // `callboard worker` serves GET /metrics on this port (on HOST) when set.
  CALLBOARD_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // OpenTelemetry traces over OTLP/HTTP to this collector (e.g. http://otel-collector:4318); off when unset.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('callboard'),
  // Who places the calls: the built-in simulator (reaches no one) or Retell (README "Connecting Retell").
  CALLBOARD_PROVIDER: z.enum(['simulator', 'retell']).default('simulator'),
  RETELL_API_KEY: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'RETELL_API_KEY must be printable ASCII without spaces')
    .optional(),
  RETELL_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.retellai.com'),
  RETELL_FROM_NUMBER: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'RETELL_FROM_NUMBER must be an E.164 number such as +14155550100')
    .optional(),
  // Keys of the agent's post-call analysis (custom_analysis_data) that report business results.
  RETELL_MEETING_BOOKED_KEY: z.string().min(1).default('meeting_booked'),
  RETELL_CALLBACK_REQUESTED_KEY: z.string().min(1).default('callback_requested'),
  RETELL_CALLBACK_AT_KEY: z.string().min(1).default('callback_at'),
});

/** What CALLBOARD_PROVIDER=retell needs, checked at start so a missing key never fails a dial. */
const RETELL_REQUIRES = ['RETELL_API_KEY', 'RETELL_FROM_NUMBER', 'CALLBOARD_PUBLIC_URL'] as const;

export type RetellConfig = {
  apiKey: string;
  /** No trailing slash. */
  baseUrl: string;
  fromNumber: string;
  analysisKeys: RetellAnalysisKeys;
};

export type Config = {
  port: number;
  host: string;
  /** Absolute path of the embedded database folder (PGlite data, first-start admin key). */
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  bootstrapKey?: string;
  simulator: { speed: number; seed: number; ledgerPath?: string };
  workerId?: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  /** What one operation may cost, and how many subscriptions a socket and a key may hold. */
  limits: {
    depth: number;
    complexity: number;
    breadth: number;
    aliases: number;
    tokens: number;
    directives: number;
    subscriptionsPerSocket: number;
    subscriptionsPerKey: number;
  };
  /** Serves GraphiQL (CALLBOARD_GRAPHIQL=1). Errors stay masked in every environment (see server.ts). */
  graphiql: boolean;
  /** Origins allowed to call the API from a browser; empty: CORS off. */
  corsOrigins: string[];
  /** NODE_ENV: "production" turns off what only development needs (e.g. http:// webhooks to localhost). */
  nodeEnv: string;
  /** Largest CSV upload to /imports/…, in bytes (streamed). */
  maxUploadBytes: number;
  /** Largest GraphQL request body, in bytes (multipart uploads are buffered). */
  maxGraphqlBodyBytes: number;
  /** Base URL of this server as clients reach it (no trailing slash); unset: links are relative. */
  publicUrl?: string;
  /** GET /metrics requires `Bearer <metricsToken>` when set. */
  metricsToken?: string;
  /** OpenTelemetry export (tracing-sdk.ts); unset: no spans leave the process. */
  tracing?: { endpoint: string; serviceName: string };
  /** `callboard worker` answers GET /metrics on this port when set. */
  workerMetricsPort?: number;
  provider: 'simulator' | 'retell';
  /** Set when provider is retell. */
  retell?: RetellConfig;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `PORT= npm start` or an empty variable in a .env file means "not set", not "" — which z.coerce
  // would read as port 0 (a random port) and the bootstrap-key check as a too-short key.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = Env.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.CALLBOARD_PROVIDER === 'retell') {
    const missing = RETELL_REQUIRES.filter((name) => !e[name]);
    if (missing.length > 0) {
      throw new Error(`invalid configuration:\n${missing.map((name) => `  ${name}: required when CALLBOARD_PROVIDER=retell`).join('\n')}`);
    }
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.CALLBOARD_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    bootstrapKey: e.CALLBOARD_BOOTSTRAP_KEY,
    simulator: { speed: e.CALLBOARD_SIMULATOR_SPEED, seed: e.CALLBOARD_SIMULATOR_SEED, ledgerPath: e.CALLBOARD_SIMULATOR_LEDGER },
    workerId: e.CALLBOARD_WORKER_ID,
    logLevel: e.LOG_LEVEL,
    limits: {
      depth: e.CALLBOARD_MAX_DEPTH,
      complexity: e.CALLBOARD_MAX_COMPLEXITY,
      breadth: e.CALLBOARD_MAX_BREADTH,
      aliases: e.CALLBOARD_MAX_ALIASES,
      tokens: e.CALLBOARD_MAX_TOKENS,
      directives: e.CALLBOARD_MAX_DIRECTIVES,
      subscriptionsPerSocket: e.CALLBOARD_MAX_SUBSCRIPTIONS_PER_SOCKET,
      subscriptionsPerKey: e.CALLBOARD_MAX_SUBSCRIPTIONS_PER_KEY,
    },
    graphiql: e.CALLBOARD_GRAPHIQL === '1',
    corsOrigins: (e.CALLBOARD_CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    nodeEnv: e.NODE_ENV,
    maxUploadBytes: e.CALLBOARD_MAX_UPLOAD_BYTES,
    maxGraphqlBodyBytes: e.CALLBOARD_MAX_GRAPHQL_BODY_BYTES,
    publicUrl: e.CALLBOARD_PUBLIC_URL?.replace(/\/+$/, ''),
    metricsToken: e.CALLBOARD_METRICS_TOKEN,
    workerMetricsPort: e.CALLBOARD_WORKER_METRICS_PORT,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, ''), serviceName: e.OTEL_SERVICE_NAME } : undefined,
    provider: e.CALLBOARD_PROVIDER,
    retell:
      e.CALLBOARD_PROVIDER === 'retell'
        ? {
            apiKey: e.RETELL_API_KEY!,
            baseUrl: e.RETELL_BASE_URL.replace(/\/+$/, ''),
            fromNumber: e.RETELL_FROM_NUMBER!,
            analysisKeys: {
              meetingBooked: e.RETELL_MEETING_BOOKED_KEY,
              callbackRequested: e.RETELL_CALLBACK_REQUESTED_KEY,
              callbackAt: e.RETELL_CALLBACK_AT_KEY,
            },
          }
        : undefined,
  };
}
