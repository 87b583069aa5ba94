/**
 * Where callboard may POST: https:// URLs on public addresses. A webhook URL is chosen by an API
 * caller, and callboard's servers sit inside someone's network: without these checks an endpoint
 * could make callboard probe its metadata service (169.254.169.254), its database or its admin
 * panels (SSRF). Checked when an endpoint is registered (the URL) and on every delivery's own
 * connection (the address its name resolves to then, so DNS cannot be switched to a private one).
 * Plain http:// and loopback addresses are allowed outside production only, for local receivers.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../domain/errors.ts';

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export type TargetPolicy = { allowLoopback: boolean };

/** The policy of this deployment: loopback receivers only outside production. */
export const targetPolicy = (nodeEnv: string): TargetPolicy => ({ allowLoopback: nodeEnv !== 'production' });

function refused(address: string, policy: TargetPolicy): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (policy.allowLoopback && LOOPBACK.check(address, family)) return null;
  return PRIVATE.check(address, family) ? `${address} is a private, loopback or reserved address` : null;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/** The URL an endpoint may be registered with; ValidationError on `url` otherwise. */
export function checkWebhookUrl(raw: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw ValidationError.of(['url'], 'not a URL');
  }
  if (raw.length > 2000) throw ValidationError.of(['url'], 'at most 2,000 characters');
  if (url.username || url.password) throw ValidationError.of(['url'], 'credentials in the URL are not allowed; sign with the secret instead');
  const host = hostOf(url);
  const loopbackName = host === 'localhost' || host.endsWith('.localhost');
  const isLoopback = loopbackName || (isIP(host) !== 0 && LOOPBACK.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4'));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback && policy.allowLoopback)) {
    throw ValidationError.of(['url'], policy.allowLoopback ? 'must be https:// (http:// only to a loopback address)' : 'must be https://');
  }
  if (loopbackName && !policy.allowLoopback) throw ValidationError.of(['url'], 'localhost is not reachable from callboard');
  if (isIP(host)) {
    const why = refused(host, policy);
    if (why) throw ValidationError.of(['url'], `${why}; webhooks go to public addresses only`);
  }
  return url;
}

/**
 * A DNS lookup for the delivery's own connection that refuses disallowed addresses: the address
 * checked is the address connected to (no window for DNS to change in between).
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const bad = list.map((a) => refused(a.address, policy)).find(Boolean);
      if (bad) return callback(Object.assign(new Error(`${hostname} resolves to ${bad}`), { code: 'EWEBHOOKTARGET' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
