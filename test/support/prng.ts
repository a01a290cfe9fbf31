// Seeded pseudo-random numbers for generated test inputs (mulberry32): identical on every machine,
// so a failing seed can be replayed.

/** A generator of uniformly distributed 32-bit unsigned integers. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The same sequence scaled to [0, 1). */
export function prngUnit(seed: number): () => number {
  const next = prng(seed);
  return () => next() / 4294967296;
}
