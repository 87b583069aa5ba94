import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';

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

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Extracts the key from an `Authorization: Bearer <key>` value. */
export function bearerKey(header: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * Resolves a presented key to its organisation. Keys are stored as sha256 only; the lookup is by
 * hash (an index probe), and the final comparison is constant-time anyway.
 */
export async function authenticate(prisma: PrismaClient, key: string | null): Promise<ApiKeyIdentity | null> {
  if (!key || key.length > 200) return null;
  const hash = hashKey(key);
  const row = await prisma.apiKey.findUnique({ where: { hash } });
  if (!row || row.revokedAt) return null;
  if (!timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) return null;
  return { keyId: row.id, organizationId: row.organizationId, role: row.role };
}

/** Creates a key for an organisation (by id or name) and returns it in clear text, once. */
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
      prefix: key.slice(0, 10),
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
    create: { organizationId: org.id, name: 'bootstrap', role: 'ADMIN', prefix: key.slice(0, 10), hash },
  });
}

export async function findOrg(prisma: PrismaClient, idOrName: string) {
  const isUuid = /^[0-9a-f-]{36}$/i.test(idOrName);
  return prisma.organization.findFirst({ where: isUuid ? { OR: [{ id: idOrName }, { name: idOrName }] } : { name: idOrName } });
}
