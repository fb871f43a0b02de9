/** Small synthetic, learnable data sets for engine tests (deterministic: a seeded LCG). */
import type { Tensors } from "../../src/engine/types.js";

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

export function range(a: number, b: number): Int32Array {
  return Int32Array.from({ length: b - a }, (_, i) => a + i);
}

/** Gaussian blobs: class k centred at a random point; d features. */
export function blobs(n = 600, d = 8, k = 3, seed = 1): Tensors & { x: Float32Array; y: Int32Array } {
  const r = rng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => gauss(r) * 2));
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c]![j]! + gauss(r);
  }
  return { task: "classification", numClasses: k, n, x, xShape: [d], xKind: "dense", y };
}

/** Linear regression target with noise, on a large scale (checks target standardisation). */
export function linear(n = 600, d = 6, seed = 2): Tensors & { x: Float32Array; y: Float32Array } {
  const r = rng(seed);
  const w = Array.from({ length: d }, () => gauss(r));
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let j = 0; j < d; j++) {
      const v = gauss(r);
      x[i * d + j] = v;
      t += w[j]! * v;
    }
    y[i] = 1000 + 50 * (t + 0.1 * gauss(r));
  }
  return { task: "regression", numClasses: 0, n, x, xShape: [d], xKind: "dense", y };
}

/** uint8 images [1, s, s]: class k has a bright square in quadrant k, on noise. */
export function squares(n = 400, s = 12, seed = 3): Tensors & { x: Uint8Array; y: Int32Array } {
  const r = rng(seed);
  const k = 4;
  const x = new Uint8Array(n * s * s);
  const y = new Int32Array(n);
  const h = s / 2;
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    const oy = c < 2 ? 0 : h, ox = c % 2 ? h : 0;
    for (let p = 0; p < s * s; p++) {
      const py = Math.floor(p / s), px = p % s;
      const inside = py >= oy && py < oy + h && px >= ox && px < ox + h;
      x[i * s * s + p] = Math.min(255, Math.floor(r() * 100 + (inside ? 120 : 0)));
    }
  }
  return { task: "classification", numClasses: k, n, x, xShape: [1, s, s], xKind: "image", imageMean: [0.4], imageStd: [0.3], y };
}

/** Token sequences: class k draws most tokens from its own id range; 0 = padding at the end. */
export function sentences(n = 400, len = 16, vocab = 50, seed = 4): Tensors & { x: Int32Array; y: Int32Array } {
  const r = rng(seed);
  const k = 3;
  const x = new Int32Array(n * len);
  const y = new Int32Array(n);
  const per = Math.floor((vocab - 1) / (k + 1));
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    const used = 4 + Math.floor(r() * (len - 4));
    for (let t = 0; t < used; t++) {
      const own = r() < 0.5;
      x[i * len + t] = 1 + (own ? c * per + Math.floor(r() * per) : k * per + Math.floor(r() * per));
    }
  }
  return { task: "classification", numClasses: k, n, x, xShape: [len], xKind: "tokens", vocabSize: vocab, y };
}

/**
 * Semi-supervision's toy tasks, d features of unit noise. `clustered`: two classes of two well-separated clusters
 * each (centres (+-5, +-5) on the first two features; class = the sign of the first), so the unlabelled rows' gaps
 * show where the boundary goes. Otherwise the control: isotropic inputs (spread 4 on the first two features)
 * labelled by a line through their densest point, so the unlabelled rows say nothing about the boundary. Rows
 * cycle through the four clusters, so the first 8 rows label each cluster twice.
 */
export function clusters(n: number, clustered: boolean, seed: number, d = 32): Tensors & { x: Float32Array; y: Int32Array } {
  const r = rng(seed);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  const centres = [[-5, -5], [-5, 5], [5, -5], [5, 5]];
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    for (let j = 0; j < d; j++) x[i * d + j] = (clustered ? (centres[c]![j] ?? 0) : 0) + (clustered || j > 1 ? 1 : 4) * gauss(r);
    y[i] = clustered ? (c < 2 ? 0 : 1) : x[i * d]! + 0.5 * x[i * d + 1]! > 0 ? 1 : 0;
  }
  return { task: "classification", numClasses: 2, n, x, xShape: [d], xKind: "dense", y };
}
