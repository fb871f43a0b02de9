/** Numeric columns: standardised with pool mean/std; missing values imputed (median by default) + indicator. */
import type { NumericEncoder } from "./types.js";

export function fitNumeric(column: string, values: Float64Array, pool: Int32Array, fillStrategy: "median" | "mean" = "median"): NumericEncoder {
  const present = new Float64Array(pool.length);
  let k = 0;
  let sum = 0;
  for (let i = 0; i < pool.length; i++) {
    const v = values[pool[i]!]!;
    if (!Number.isNaN(v)) {
      present[k++] = v;
      sum += v;
    }
  }
  const vals = present.subarray(0, k);
  const mean = k ? sum / k : 0;
  let ss = 0;
  for (let i = 0; i < k; i++) ss += (vals[i]! - mean) ** 2;
  const std = k > 1 ? Math.sqrt(ss / (k - 1)) : 0;
  let fill = mean;
  if (fillStrategy === "median" && k) {
    // Quickselect (O(n)) instead of a sort: 30 columns × 800k rows sorted took seconds.
    const hi = select(vals, k >> 1);
    fill = k % 2 ? hi : (hi + maxBelow(vals, k >> 1)) / 2;
  }
  // A constant column in the pool has std 0: dividing by 1 keeps it finite (it carries no signal anyway).
  return { kind: "numeric", column, mean, std: std > 1e-12 ? std : 1, fill, fillStrategy, missingIndicator: k < pool.length };
}

export function numericWidth(e: NumericEncoder): number {
  return e.missingIndicator ? 2 : 1;
}

/** Writes column `offset` (and offset+1 for the indicator) of a row-major [n, width] matrix. */
export function applyNumeric(e: NumericEncoder, values: Float64Array, out: Float32Array, width: number, offset: number): void {
  const n = values.length;
  const fillZ = (e.fill - e.mean) / e.std;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const miss = Number.isNaN(v);
    out[i * width + offset] = miss ? fillZ : (v - e.mean) / e.std;
    if (e.missingIndicator) out[i * width + offset + 1] = miss ? 1 : 0;
  }
}

/** Puts the k-th smallest value at a[k] (Hoare partitioning, median-of-three); returns it. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/** After select(a, k): the largest value among a[0..k-1]. */
function maxBelow(a: Float64Array, k: number): number {
  let m = -Infinity;
  for (let i = 0; i < k; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
