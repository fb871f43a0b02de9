/**
 * Exact k-nearest neighbours (cosine on L2-normalised rows, or euclidean) for the audit's checks. Exactness matters
 * more than an approximate index's speed here (a missed neighbour is a missed duplicate); the engine computes them by
 * blockwise matrix products at BLAS speed (engine/neighbours.ts: 20,000 x 784 pixels in seconds, where the former
 * n²·d JavaScript loop took minutes).
 */
import { nearestRows } from "../../engine/index.js";

export interface Knn {
  k: number;
  /** n × k neighbour indices (-1 when fewer rows), most similar first. */
  index: Int32Array;
  /** n × k cosine similarities, aligned with index. */
  sim: Float32Array;
}

/** Rows of x (n × d) scaled to unit length (zero rows stay zero); optionally mean-centred first. */
export function normaliseRows(x: Float32Array, n: number, d: number, centre = false): Float32Array {
  const out = new Float32Array(n * d);
  const mean = new Float64Array(d);
  if (centre) {
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
    for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, n);
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]! - mean[j]!;
      s += v * v;
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) out[i * d + j] = (x[i * d + j]! - mean[j]!) * inv;
  }
  return out;
}

/** Gaussian random projection to `dim` columns (Johnson-Lindenstrauss: cosines are kept to about ±1/sqrt(dim)). */
export function project(x: ArrayLike<number>, n: number, d: number, dim: number, rng: () => number): Float32Array {
  if (d <= dim) return Float32Array.from(x as ArrayLike<number>);
  const R = new Float32Array(d * dim);
  for (let i = 0; i < R.length; i += 2) {
    const u = Math.max(1e-12, rng());
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    R[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < R.length) R[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  const out = new Float32Array(n * dim);
  const acc = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    const base = i * d;
    for (let j = 0; j < d; j++) {
      const v = x[base + j]!;
      if (v === 0) continue;
      const rb = j * dim;
      for (let t = 0; t < dim; t++) acc[t]! += v * R[rb + t]!;
    }
    for (let t = 0; t < dim; t++) out[i * dim + t] = acc[t]!;
  }
  return out;
}

/** k nearest neighbours of every row among all rows (itself excluded), on unit rows u (n × d): exact, in C++. */
export async function knnCosine(u: Float32Array, n: number, d: number, k: number, metric: "cosine" | "euclidean" = "cosine"): Promise<Knn> {
  // euclidean: "sim" holds -squared distance, so larger is still closer
  const r = await nearestRows(u, n, d, Math.max(1, Math.min(k, n - 1)), { metric });
  return { k: r.k, index: r.index, sim: r.score };
}

/** Rows of x (n × d) at the given indices, as float32. */
export function gatherRows(x: ArrayLike<number>, d: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) {
    const b = rows[i]! * d;
    for (let t = 0; t < d; t++) out[i * d + t] = x[b + t]!;
  }
  return out;
}
