/** Small statistics on typed arrays: quantiles, robust scale, seeded sampling. */
import { rngFor, shuffle, type Rng } from "../../rng.js";
import { quantile, robustScale } from "../../stats.js";

/** Up to `max` indices from `rows`, a seeded random sample stratified by label when labels are given. */
export function sampleRows(rows: Int32Array, max: number, seed: number, purpose: string, labels?: Int32Array): Int32Array {
  if (rows.length <= max) return rows.slice();
  const rng = rngFor(seed, purpose);
  if (!labels) return shuffle(rows.slice(), rng).slice(0, max).sort();
  const by = new Map<number, number[]>();
  for (const r of rows) {
    const c = labels[r]!;
    let g = by.get(c);
    if (!g) by.set(c, (g = []));
    g.push(r);
  }
  const out: number[] = [];
  for (const g of by.values()) {
    const take = Math.max(1, Math.round((g.length / rows.length) * max));
    const a = shuffle(Int32Array.from(g), rng);
    for (let i = 0; i < Math.min(take, a.length); i++) out.push(a[i]!);
  }
  return Int32Array.from(out).sort();
}

export { rngFor, type Rng, quantile, robustScale };

/** Shannon entropy of counts, normalised to [0, 1] by log(#non-empty bins)... of all bins. */
export function normalisedEntropy(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0 || counts.length < 2) return 1;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = counts[i]! / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h / Math.log(counts.length);
}
