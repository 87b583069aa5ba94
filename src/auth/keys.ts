import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';
import { POLL_SQL_TAG } from '../db/sql-literals.ts';
import { isUuid } from '../domain/ids.ts';

/**
 * What a key may do. Each scope includes the ones before it: READ (queries and subscriptions),
 * WRITE (+ mutations: campaigns, contacts, agents, test calls), ADMIN (+ keys, do-not-call list,
 * minutes and limits). A key's level is the highest scope it was granted.
 */
export const API_KEY_SCOPES = ['READ', 'WRITE', 'ADMIN'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Who is calling: one API key of one organisation, at one level. */
export interface ApiKeyIdentity {
  keyId: string;
  /** The key's label, recorded in the audit log with each change it makes. */
  name: string;
  organizationId: string;
  level: ApiKeyScope;
}

/** The highest of `scopes` (READ for none, which a key cannot be created with). */
export function levelOf(scopes: readonly string[]): ApiKeyScope {
  return [...API_KEY_SCOPES].reverse().find((s) => scopes.includes(s)) ?? 'READ';
}

/** Whether a key at `level` has `scope`. */
export function allows(level: ApiKeyScope, scope: ApiKeyScope): boolean {
  return API_KEY_SCOPES.indexOf(level) >= API_KEY_SCOPES.indexOf(scope);
}

const KEY_PREFIX = 'cb_';

/** A new random key: 32 bytes of entropy, URL-safe, recognisable by its `cb_` prefix. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * The part of a key kept in clear to tell keys apart: "cb_" and 7 of 43 random characters of a
 * generated key (42 of 256 bits), but only 4 characters of an operator's own bootstrap key, which
 * may be as short as 16 characters.
 */
export function displayPrefix(key: string): string {
  return key.startsWith(KEY_PREFIX) && key.length >= 40 ? key.slice(0, 10) : key.slice(0, 4);
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Extracts the key from an `Authorization: Bearer <key>` value. */
export function bearerKey(header: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * Resolves a presented key to its organisation, or null for an unknown or revoked key. Keys are
 * stored as sha256 only and looked up by hash (one index probe); the probe's timing can reveal
 * something about a hash, never about a key. Unsalted sha256 is enough for generated keys (256
 * random bits: nothing to brute-force); a bootstrap key is the operator's choice, so it must be
 * long (≥ 16 characters, config.ts). A throwing database propagates: callers answer 503.
 */
export async function authenticate(prisma: PrismaClient, key: string | null, now = new Date()): Promise<ApiKeyIdentity | null> {
  return (await lookupKey(prisma, key, now))?.identity ?? null;
}

/** authenticate(), with the key's expiry: what ApiKeyCache (auth/key-cache.ts) needs to remember an answer. */
export async function lookupKey(
  prisma: PrismaClient,
  key: string | null,
  now = new Date(),
): Promise<{ identity: ApiKeyIdentity; expiresAt: Date | null } | null> {
  if (!key || key.length > 200) return null;
  const row = await prisma.apiKey.findUnique({
    where: { hash: hashKey(key) },
    select: { id: true, name: true, organizationId: true, scopes: true, revokedAt: true, expiresAt: true, lastUsedAt: true },
  });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  touch(prisma, row.id, row.lastUsedAt, now);
  return { identity: { keyId: row.id, name: row.name, organizationId: row.organizationId, level: levelOf(row.scopes) }, expiresAt: row.expiresAt };
}

/** lastUsedAt to the minute: at most one write per key per minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const touched = new Map<string, number>();

export function touch(prisma: PrismaClient, keyId: string, lastUsedAt: Date | null, now: Date): void {
  const last = Math.max(lastUsedAt?.getTime() ?? 0, touched.get(keyId) ?? 0);
  if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
  touched.set(keyId, now.getTime());
  if (touched.size > 10_000) touched.clear();
  // Best effort and not awaited: a request never waits for (or fails on) this bookkeeping.
  prisma.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: now } }).catch(() => touched.delete(keyId));
}

/** Keys among `keyIds` that no longer authenticate (revoked, expired or deleted): open streams of them must end. */
export async function deadKeys(prisma: PrismaClient, keyIds: string[], now = new Date()): Promise<Set<string>> {
  // Tagged: it runs on a timer for all open streams of the process, not per request.
  const alive = await prisma.$queryRawUnsafe<{ id: string }[]>(
    `/* ${POLL_SQL_TAG} */ SELECT id::text AS id FROM api_key
      WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
    keyIds,
    now,
  );
  const ok = new Set(alive.map((k) => k.id));
  return new Set(keyIds.filter((id) => !ok.has(id)));
}

/** Creates a key for an organisation and returns it in clear text, the only time it exists so. */
export async function createKey(
  prisma: PrismaClient,
  org: { id: string },
  options: { name?: string; scopes?: ApiKeyScope[]; key?: string; expiresAt?: Date | null } = {},
): Promise<string> {
  return (await createKeyRecord(prisma, org, options)).key;
}

/** createKey, returning the stored row too (the API shows it next to the secret). */
export async function createKeyRecord(
  prisma: Pick<PrismaClient, 'apiKey'>,
  org: { id: string },
  options: { name?: string; scopes?: ApiKeyScope[]; key?: string; expiresAt?: Date | null } = {},
) {
  const key = options.key ?? generateKey();
  const row = await prisma.apiKey.create({
    data: {
      organizationId: org.id,
      name: options.name ?? 'default',
      scopes: options.scopes ?? ['ADMIN'],
      expiresAt: options.expiresAt ?? null,
      prefix: displayPrefix(key),
      hash: hashKey(key),
    },
  });
  return { key, row };
}

export const DEFAULT_ORG_NAME = 'default';

/** The default organisation, created on first start. */
export async function ensureDefaultOrg(prisma: PrismaClient) {
  // INSERT … ON CONFLICT DO NOTHING, then read: two processes starting at once (an upsert reads
  // then inserts, and the second insert fails on the unique name) both end up with the one row.
  await prisma.organization.createMany({ data: [{ name: DEFAULT_ORG_NAME }], skipDuplicates: true });
  return prisma.organization.findUniqueOrThrow({ where: { name: DEFAULT_ORG_NAME } });
}

/** Makes sure the default organisation has an admin key with exactly this value. */
export async function ensureBootstrapKey(prisma: PrismaClient, key: string): Promise<void> {
  const org = await ensureDefaultOrg(prisma);
  const hash = hashKey(key);
  // Race-free for processes starting together, as ensureDefaultOrg.
  await prisma.apiKey.createMany({
    data: [{ organizationId: org.id, name: 'bootstrap', scopes: ['ADMIN'], prefix: displayPrefix(key), hash }],
    skipDuplicates: true,
  });
  await prisma.apiKey.update({ where: { hash }, data: { revokedAt: null, expiresAt: null, organizationId: org.id, scopes: ['ADMIN'] } });
}

/** An organisation by id or by name (`callboard keys create --org <id|name>`). */
export async function findOrg(prisma: PrismaClient, idOrName: string) {
  // Only a well-formed uuid may reach the uuid column: anything else is a PostgreSQL error.
  const where = isUuid(idOrName) ? { OR: [{ id: idOrName.toLowerCase() }, { name: idOrName }] } : { name: idOrName };
  return prisma.organization.findFirst({ where });
}

/** Revokes a key of the organisation (again: no change); null when it has no such key. */
export async function revokeKey(prisma: Pick<PrismaClient, 'apiKey'>, organizationId: string, keyId: string, now = new Date()) {
  const key = await prisma.apiKey.findFirst({ where: { id: keyId, organizationId } });
  if (!key) return null;
  if (key.revokedAt) return key;
  return prisma.apiKey.update({ where: { id: keyId }, data: { revokedAt: now } });
}
