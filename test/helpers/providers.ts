/** Telephony providers that misbehave on purpose, for the dialer's recovery tests. */
import type { DialAccepted, DialRequest, ProviderLookup, TelephonyProvider } from '../../src/dialer/provider.ts';

/** Counts lookups, so a test can tell that recovery asked the provider instead of redialing. */
export function counting(inner: TelephonyProvider) {
  const counts = { dials: 0, lookups: 0 };
  const counted =
    <A extends unknown[], R>(key: keyof typeof counts, fn: (...args: A) => R) =>
    (...args: A): R => {
      counts[key]++;
      return fn(...args);
    };
  const provider: TelephonyProvider = {
    name: inner.name,
    dial: counted('dials', (r: DialRequest) => inner.dial(r)),
    onResult: (l) => inner.onResult(l),
    lookup: counted('lookups', (id: string) => inner.lookup(id)),
    lookupByAttempt: counted('lookups', (id: string) => inner.lookupByAttempt(id)),
    close: () => inner.close(),
  };
  return { provider, counts };
}

/** A provider whose dials never reach it: the process froze (then died) before placing them. */
export function frozen(): TelephonyProvider & { pending: number } {
  const state = { pending: 0 };
  return Object.assign(state, {
    name: 'frozen',
    dial: (_r: DialRequest) => {
      state.pending++;
      return new Promise<DialAccepted>(() => {});
    },
    onResult: () => () => {},
    lookup: async (): Promise<ProviderLookup> => ({ state: 'unknown' }),
    lookupByAttempt: async (): Promise<ProviderLookup> => ({ state: 'unknown' }),
    close: async () => {},
  });
}
