/**
 * The one edit distance in the code base. Column-name suggestions (data/suggest.ts) count a swap of two letters as
 * two edits (plain Levenshtein, as they always have: their "did you mean" order must not change); category spelling
 * variants (audit/checks/category-variants.ts) count it as one (optimal string alignment), since "pairs" for
 * "paris" is one typo. It lives in data/, the lowest layer both may import.
 */
export interface EditDistanceOptions {
  /** Stop once the distance is sure to exceed this; the result is then `max + 1` (default: no limit). */
  max?: number;
  /** Count swapping two adjacent characters as one edit (default true; false gives plain Levenshtein). */
  transpositions?: boolean;
}

export function editDistance(a: string, b: string, opts: EditDistanceOptions = {}): number {
  const max = opts.max ?? Infinity;
  const swaps = opts.transpositions ?? true;
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const m = a.length;
  const n = b.length;
  let prev2 = new Int32Array(n + 1);
  let prev = Int32Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Int32Array(n + 1);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (swaps && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // every later row is at least this row's minimum: the distance can only exceed max from here
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}
