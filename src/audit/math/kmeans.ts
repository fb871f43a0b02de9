/** k-means (k-means++ seeding, Lloyd iterations) on row-major float32 points. */
import type { Rng } from "../../rng.js";

export function kmeans(x: Float32Array, n: number, d: number, k: number, rng: Rng, iters = 30): { assign: Int32Array; centres: Float32Array } {
  k = Math.max(1, Math.min(k, n));
  const centres = new Float32Array(k * d);
  const dist = new Float64Array(n).fill(Infinity);
  const d2 = (i: number, c: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = x[i * d + t]! - centres[c * d + t]!;
      s += v * v;
    }
    return s;
  };
  let first = Math.floor(rng() * n);
  centres.set(x.subarray(first * d, first * d + d), 0);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = d2(i, c - 1);
      if (v < dist[i]!) dist[i] = v;
      total += dist[i]!;
    }
    let r = rng() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= dist[i]!;
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    first = pick;
    centres.set(x.subarray(pick * d, pick * d + d), c * d);
  }
  const assign = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let it = 0; it < iters; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bv = Infinity;
      for (let c = 0; c < k; c++) {
        const v = d2(i, c);
        if (v < bv) {
          bv = v;
          best = c;
        }
      }
      if (assign[i] !== best) {
        assign[i] = best;
        changed++;
      }
    }
    if (changed === 0 && it > 0) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assign[i]!;
      counts[c]!++;
      for (let t = 0; t < d; t++) sums[c * d + t]! += x[i * d + t]!;
    }
    for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let t = 0; t < d; t++) centres[c * d + t] = sums[c * d + t]! / counts[c]!;
  }
  return { assign, centres };
}
