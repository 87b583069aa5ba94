/** Small async helpers of the worker. */

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(item);
  }
  return out;
}

/** Runs `fn` over `items`, `size` at a time: a bounded number of provider lookups in flight. */
export async function inChunks<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Waits for the promises in `set` (including ones added meanwhile), at most `ms`. */
export async function settle(set: Set<Promise<unknown>>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (set.size > 0 && Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...set]), new Promise((r) => (timer = setTimeout(r, Math.max(1, deadline - Date.now()))))]);
    clearTimeout(timer);
  }
}
