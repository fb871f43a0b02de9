/** 53-bit row fingerprints (two FNV-1a-style 32-bit lanes): collisions at 1e6 rows are ~1e-4 likely, and exact-duplicate groups are verified by their callers where it matters. */
export function hashBytes(a: ArrayLike<number>, start: number, end: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = start; i < end; i++) {
    const v = a[i]! | 0;
    h1 = Math.imul(h1 ^ v, 16777619);
    h2 = Math.imul(h2 ^ (v + 0x9e37), 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

/** hashBytes over 32-bit integers (each integer mixed in whole). */
export function hashInts(a: Int32Array): number {
  return hashBytes(a, 0, a.length);
}

/** Groups of indices sharing a key (only groups of 2+), in order of first appearance. */
export function groupsByKey(keys: Float64Array | number[], include?: (i: number) => boolean): number[][] {
  const first = new Map<number, number[]>();
  for (let i = 0; i < keys.length; i++) {
    if (include && !include(i)) continue;
    const k = keys[i]!;
    const g = first.get(k);
    if (g) g.push(i);
    else first.set(k, [i]);
  }
  const out: number[][] = [];
  for (const g of first.values()) if (g.length > 1) out.push(g);
  return out;
}
