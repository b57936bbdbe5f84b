// A seeded pseudo-random generator for tests: the same seed gives the same sequence everywhere, so a
// failing interleaving is replayed from its seed alone.

/** A small seeded PRNG (mulberry32) so every interleaving can be replayed from its seed. */
export function createPrng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    /** `length` pseudo-random bytes (a `RandomBytes` for simulations; never for real keys). */
    bytes: (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(next() * 256)),
  };
}

/** The PRNG type. */
export type Prng = ReturnType<typeof createPrng>;
