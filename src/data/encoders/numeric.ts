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
    vals.sort();
    fill = k % 2 ? vals[(k - 1) / 2]! : (vals[k / 2 - 1]! + vals[k / 2]!) / 2;
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
