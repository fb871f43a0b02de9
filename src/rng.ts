/**
 * Seeded randomness for every layer (splits, subsets, bootstraps, validation slices): the same seed gives the same
 * draws on every machine and Node version (Math.random cannot be seeded). mulberry32 is small, fast and good enough
 * for shuffling and resampling.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator for one purpose ("split", "subset:3") derived from a user seed, so purposes do not share streams. */
export function rngFor(seed: number, purpose: string): Rng {
  let h = 2166136261 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 16777619);
  return mulberry32(h ^ Math.imul(seed >>> 0, 0x9e3779b1));
}

/** Fisher-Yates, in place. */
export function shuffle<T extends { length: number; [i: number]: number }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}
