/**
 * Isolation forest (Liu, Ting & Zhou 2008) for tabular outliers. Written here rather than taken from npm: the
 * packages there (isolation-forest, ml-isolation-forest) take arrays of row objects, i.e. one JS object per row,
 * which this project avoids; the algorithm is ~60 lines on typed arrays. Trees are stored flat.
 */
import type { Rng } from "../../rng.js";

const EULER = 0.5772156649;
/** Average path length of an unsuccessful BST search over n points: the normaliser c(n). */
export function avgPath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

/** Anomaly scores s = 2^(-E[h(x)] / c(ψ)) in (0, 1): ~0.5 ordinary, → 1 isolated early (anomalous). */
export function isolationForest(x: Float32Array, n: number, d: number, rng: Rng, opts: { trees?: number; sampleSize?: number } = {}): Float32Array {
  const T = opts.trees ?? 100;
  const psi = Math.min(opts.sampleSize ?? 256, n);
  const maxDepth = Math.ceil(Math.log2(Math.max(2, psi)));
  const pathSum = new Float64Array(n);
  const maxNodes = 2 * psi + 1;
  const feat = new Int32Array(maxNodes);
  const split = new Float32Array(maxNodes);
  const left = new Int32Array(maxNodes);
  const right = new Int32Array(maxNodes);
  const size = new Int32Array(maxNodes);
  const idx = new Int32Array(psi);
  for (let t = 0; t < T; t++) {
    // sample without replacement (partial Fisher-Yates over a fresh permutation of n is O(n); fine per tree)
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = 0; i < psi; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const tmp = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = tmp;
      idx[i] = perm[i]!;
    }
    let nodes = 0;
    const build = (lo: number, hi: number, depth: number): number => {
      const id = nodes++;
      size[id] = hi - lo;
      feat[id] = -1;
      if (hi - lo <= 1 || depth >= maxDepth) return id;
      // pick a feature with spread among these points (a few tries), then a uniform split in its range
      for (let tries = 0; tries < 8; tries++) {
        const f = Math.floor(rng() * d);
        let mn = Infinity;
        let mx = -Infinity;
        for (let i = lo; i < hi; i++) {
          const v = x[idx[i]! * d + f]!;
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
        if (!(mx > mn)) continue;
        const s = mn + rng() * (mx - mn);
        let p = lo;
        for (let i = lo; i < hi; i++) {
          if (x[idx[i]! * d + f]! < s) {
            const tmp = idx[i]!;
            idx[i] = idx[p]!;
            idx[p++] = tmp;
          }
        }
        if (p === lo || p === hi) continue;
        feat[id] = f;
        split[id] = s;
        left[id] = build(lo, p, depth + 1);
        right[id] = build(p, hi, depth + 1);
        return id;
      }
      return id;
    };
    build(0, psi, 0);
    for (let i = 0; i < n; i++) {
      let node = 0;
      let depth = 0;
      while (feat[node]! >= 0) {
        node = x[i * d + feat[node]!]! < split[node]! ? left[node]! : right[node]!;
        depth++;
      }
      pathSum[i]! += depth + avgPath(size[node]!);
    }
  }
  const c = avgPath(psi);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.pow(2, -pathSum[i]! / T / c);
  return out;
}
