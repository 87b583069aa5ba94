import { createHash } from 'node:crypto';

// The simulator's deterministic randomness: a seeded PRNG and the hashes that seed it.

export function checkRange(name: string, [lo, hi]: readonly [number, number]): readonly [number, number] {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo) {
    throw new RangeError(`${name} must be whole seconds [min, max] with 0 ≤ min ≤ max`);
  }
  return [lo, hi];
}

export function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** sfc32: small, fast, passes PractRand; seeded with 128 bits of a hash so nearby ids diverge. */
export function sfc32(seed: Buffer): () => number {
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // warm-up, as the reference implementation advises
  return next;
}
