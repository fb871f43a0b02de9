/**
 * The validation slice of a Run's subset: held out, stratified and seeded, for early stopping and the
 * train/validation gap. The subset size n counts both parts (n is what the user would have to label).
 */
import { mulberry32, shuffle } from "../rng.js";

/** A seeded generator for the validation slice (the historical seed mix, so stored Runs keep their slices). */
function rng(seed: number): () => number {
  return mulberry32((seed >>> 0) ^ 0x9e3779b9);
}

/**
 * Splits `rows` into train and validation parts. Classification (labels given): each class gives about `fraction`
 * of its rows, with largest-remainder rounding to the overall count, and a class with one row keeps it for training.
 * Regression (labels null): a seeded random slice. Fewer than 4 rows: no validation slice (nothing to spare).
 */
export function splitValidation(
  rows: Int32Array,
  labels: Int32Array | null,
  fraction: number,
  seed: number,
): { train: Int32Array; valid: Int32Array } {
  const n = rows.length;
  if (n < 4 || fraction <= 0) return { train: Int32Array.from(rows), valid: new Int32Array(0) };
  const rand = rng(seed * 7919 + 17);
  const total = Math.max(1, Math.round(fraction * n));
  const groups = new Map<number, number[]>();
  for (const r of rows) {
    const key = labels ? labels[r]! : 0;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  // Per-class quotas: floor of the proportional share, then the remainders in order of size (ties by label).
  const quota = new Map<number, number>();
  const rema: { key: number; frac: number }[] = [];
  let assigned = 0;
  for (const k of keys) {
    const c = groups.get(k)!.length;
    const exact = (total * c) / n;
    const q = c > 1 ? Math.min(Math.floor(exact), c - 1) : 0;
    quota.set(k, q);
    assigned += q;
    if (c > 1 && q < c - 1) rema.push({ key: k, frac: exact - q });
  }
  rema.sort((a, b) => b.frac - a.frac || a.key - b.key);
  for (const { key } of rema) {
    if (assigned >= total) break;
    quota.set(key, quota.get(key)! + 1);
    assigned++;
  }
  const train: number[] = [];
  const valid: number[] = [];
  for (const k of keys) {
    const g = shuffle(groups.get(k)!, rand);
    const q = quota.get(k)!;
    for (let i = 0; i < g.length; i++) (i < q ? valid : train).push(g[i]!);
  }
  return { train: Int32Array.from(train.sort((a, b) => a - b)), valid: Int32Array.from(valid.sort((a, b) => a - b)) };
}

/** A seeded sample of at most `cap` rows (all of them when there are fewer). */
export function sampleRows(rows: Int32Array, cap: number, seed: number): Int32Array {
  if (rows.length <= cap) return rows;
  const a = Array.from(rows);
  shuffle(a, rng(seed * 104729 + 3));
  return Int32Array.from(a.slice(0, cap).sort((x, y) => x - y));
}
