/**
 * A small seeded PRNG so that every benchmark input is reproducible byte for byte.
 *
 * sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator): 128 bits of state, passes
 * PractRand to 2^40+ bytes, and is a few lines of 32-bit integer arithmetic. Math.random cannot be
 * seeded, and quality beyond "no visible pattern" does not matter for synthetic events.
 */
export interface Prng {
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits, so printed values carry full double precision. */
  nextFloat(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
}

export function createPrng(seed: number): Prng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const nextUint32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 needs a few rounds to mix a weak seed.
  for (let i = 0; i < 15; i++) nextUint32();

  const nextFloat = (): number => {
    const high = nextUint32() >>> 5; // 27 bits
    const low = nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  };
  return {
    nextUint32,
    nextFloat,
    int: (min, max) => min + Math.floor(nextFloat() * (max - min + 1)),
    chance: (p) => nextFloat() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(nextFloat() * items.length)];
      if (item === undefined) throw new Error('pick() from an empty array');
      return item;
    },
  };
}

/** Draws items with the given relative weights; built once, O(log n) per draw. */
export function createWeightedPicker<T>(entries: readonly (readonly [T, number])[]): (prng: Prng) => T {
  const items: T[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [item, weight] of entries) {
    if (weight <= 0) continue;
    total += weight;
    items.push(item);
    cumulative.push(total);
  }
  if (items.length === 0) throw new Error('createWeightedPicker() needs a positive weight');
  return (prng) => {
    const target = prng.nextFloat() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? total) > target) hi = mid;
      else lo = mid + 1;
    }
    return items[lo] as T;
  };
}
