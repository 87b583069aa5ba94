import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';
import { isUuid } from '../domain/ids.ts';

/**
 * Who is calling: one API key of one organisation. Roles: ADMIN and MEMBER keys have the same
 * GraphQL rights today — every query and mutation is scoped to the key's organisation and none is
 * admin-only yet. The `admin` auth scope (schema/builder.ts) exists for what will be: key
 * management, balance and plan changes.
 */
export interface ApiKeyIdentity {
  keyId: string;
  organizationId: string;
  role: 'ADMIN' | 'MEMBER';
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
export async function authenticate(prisma: PrismaClient, key: string | null): Promise<ApiKeyIdentity | null> {
  if (!key || key.length > 200) return null;
  const row = await prisma.apiKey.findUnique({
    where: { hash: hashKey(key) },
    select: { id: true, organizationId: true, role: true, revokedAt: true },
  });
  if (!row || row.revokedAt) return null;
  return { keyId: row.id, organizationId: row.organizationId, role: row.role };
}

/** Creates a key for an organisation and returns it in clear text, the only time it exists so. */
export async function createKey(
  prisma: PrismaClient,
  org: { id: string },
  options: { name?: string; role?: 'ADMIN' | 'MEMBER'; key?: string } = {},
): Promise<string> {
  const key = options.key ?? generateKey();
  await prisma.apiKey.create({
    data: {
      organizationId: org.id,
      name: options.name ?? 'default',
      role: options.role ?? 'ADMIN',
      prefix: displayPrefix(key),
      hash: hashKey(key),
    },
  });
  return key;
}

export const DEFAULT_ORG_NAME = 'default';

/** The default organisation, created on first start. */
export async function ensureDefaultOrg(prisma: PrismaClient) {
  return prisma.organization.upsert({ where: { name: DEFAULT_ORG_NAME }, update: {}, create: { name: DEFAULT_ORG_NAME } });
}

/** Makes sure the default organisation has an admin key with exactly this value. */
export async function ensureBootstrapKey(prisma: PrismaClient, key: string): Promise<void> {
  const org = await ensureDefaultOrg(prisma);
  const hash = hashKey(key);
  await prisma.apiKey.upsert({
    where: { hash },
    update: { revokedAt: null, organizationId: org.id, role: 'ADMIN' },
    create: { organizationId: org.id, name: 'bootstrap', role: 'ADMIN', prefix: displayPrefix(key), hash },
  });
}


/** An organisation by id or by name (`callboard keys create --org <id|name>`). */
export async function findOrg(prisma: PrismaClient, idOrName: string) {
  // Only a well-formed uuid may reach the uuid column: anything else is a PostgreSQL error.
  const where = isUuid(idOrName) ? { OR: [{ id: idOrName.toLowerCase() }, { name: idOrName }] } : { name: idOrName };
  return prisma.organization.findFirst({ where });
}
