import { describe, expect, it } from "vitest";
import { copulaColumns, fitCopula, sampleCopula } from "../../src/strategies/synthetic/copula.js";
import { mulberry32 } from "../../src/rng.js";
import { quantile } from "../../src/stats.js";

/**
 * Two classes of three columns: an exponential (skewed) column, a normal one correlated with it through their
 * normal scores (rho 0.8 in class 0, -0.5 in class 1), and a 3-category one-hot group with per-class frequencies.
 */
function toy(n: number, seed: number) {
  const rand = mulberry32(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const d = 5;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = c;
    const rho = c === 0 ? 0.8 : -0.5;
    const z1 = g();
    const z2 = rho * z1 + Math.sqrt(1 - rho * rho) * g();
    // exp(z) and an affine normal: monotone in the scores, so Spearman-like structure is the copula's.
    x[i * d] = Math.exp(z1) + (c === 0 ? 0 : 3);
    x[i * d + 1] = 10 + 2 * z2;
    const u = rand();
    const probs = c === 0 ? [0.6, 0.3, 0.1] : [0.1, 0.2, 0.7];
    const k = u < probs[0]! ? 0 : u < probs[0]! + probs[1]! ? 1 : 2;
    x[i * d + 2 + k] = 1;
  }
  return { x, y, d };
}

const pick = (x: Float32Array, d: number, col: number, rows: number[]) => rows.map((i) => x[i * d + col]!);
function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) (sab += (a[i]! - ma) * (b[i]! - mb)), (saa += (a[i]! - ma) ** 2), (sbb += (b[i]! - mb) ** 2);
  return sab / Math.sqrt(saa * sbb);
}
/** Spearman's rank correlation (what a Gaussian copula preserves whatever the marginals). */
const ranks = (a: number[]) => {
  const o = a.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(a.length);
  o.forEach(([, i], k) => (r[i] = k));
  return r;
};

describe("Gaussian copula", () => {
  const { x, y, d } = toy(4000, 7);
  const rows = { x, d, y, task: "classification" as const, numClasses: 2 };
  const features = [
    { kind: "numeric" as const, missingIndicator: false },
    { kind: "numeric" as const, missingIndicator: false },
    { kind: "onehot" as const, missingIndicator: false, categories: ["a", "b", "c"] },
  ];
  const columns = copulaColumns(d, 0, features);
  const all = Int32Array.from({ length: 4000 }, (_, i) => i);

  it("reproduces each class's marginals, its rank correlation and its category frequencies", () => {
    const model = fitCopula(rows, all, columns, 1);
    const s = sampleCopula(model, [3000, 3000], 2);
    expect(s.n).toBe(6000);
    for (const c of [0, 1]) {
      const real = Array.from({ length: 4000 }, (_, i) => i).filter((i) => y[i] === c);
      const syn = Array.from({ length: s.n }, (_, i) => i).filter((i) => s.y[i] === c);
      expect(syn.length).toBe(3000);
      // Marginals: quantiles of the skewed column and of the normal one.
      for (const col of [0, 1]) {
        const a = pick(x, d, col, real);
        const b = pick(s.x, d, col, syn);
        const spread = quantile(a, 0.9) - quantile(a, 0.1);
        // Tolerances a few standard errors of a sample quantile wide (wider in the skewed column's tail).
        for (const q of [0.25, 0.5, 0.75]) expect(Math.abs(quantile(b, q) - quantile(a, q))).toBeLessThan(0.05 * spread);
        for (const q of [0.1, 0.9]) expect(Math.abs(quantile(b, q) - quantile(a, q))).toBeLessThan(0.12 * spread);
        // Never outside the observed range (the empirical quantile function).
        expect(Math.min(...b)).toBeGreaterThanOrEqual(Math.min(...a));
        expect(Math.max(...b)).toBeLessThanOrEqual(Math.max(...a));
      }
      const rhoReal = pearson(ranks(pick(x, d, 0, real)), ranks(pick(x, d, 1, real)));
      const rhoSyn = pearson(ranks(pick(s.x, d, 0, syn)), ranks(pick(s.x, d, 1, syn)));
      expect(Math.abs(rhoSyn - rhoReal)).toBeLessThan(0.06);
      expect(c === 0 ? rhoSyn : -rhoSyn).toBeGreaterThan(0.4);
      // One-hot group: exactly one 1 per row, frequencies as the class's.
      for (let k = 0; k < 3; k++) {
        const fr = pick(x, d, 2 + k, real).reduce((a, v) => a + v, 0) / real.length;
        const fs = pick(s.x, d, 2 + k, syn).reduce((a, v) => a + v, 0) / syn.length;
        expect(Math.abs(fs - fr)).toBeLessThan(0.04);
      }
      for (const i of syn) expect(s.x[i * d + 2]! + s.x[i * d + 3]! + s.x[i * d + 4]!).toBe(1);
    }
  });

  it("is seeded: same rows and seed, same samples; another seed, other samples", () => {
    const a = sampleCopula(fitCopula(rows, all.subarray(0, 300), columns, 3), [50, 50], 4);
    const b = sampleCopula(fitCopula(rows, all.subarray(0, 300), columns, 3), [50, 50], 4);
    const c = sampleCopula(fitCopula(rows, all.subarray(0, 300), columns, 3), [50, 50], 5);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
  });

  it("stays positive definite with fewer rows per class than columns, and carries a regression target", () => {
    const few = fitCopula(rows, all.subarray(0, 6), columns, 1);
    expect(sampleCopula(few, [5, 5], 1).n).toBe(10);
    const yr = Float32Array.from({ length: 4000 }, (_, i) => 2 * x[i * d + 1]! + 1);
    const reg = fitCopula({ x, d, y: yr, task: "regression", numClasses: 0 }, all, columns, 1);
    const s = sampleCopula(reg, [3000], 2);
    const rowsIdx = Array.from({ length: 3000 }, (_, i) => i);
    // y = 2 x1 + 1 exactly: the copula keeps that monotone relation almost perfectly.
    expect(pearson(ranks(pick(s.x, d, 1, rowsIdx)), ranks(Array.from(s.y)))).toBeGreaterThan(0.97);
  });

  it("encoders describe its columns: numeric (+ missing indicator), one-hot groups, embedding ids", () => {
    expect(copulaColumns(5, 1, [{ kind: "numeric", missingIndicator: true }, { kind: "onehot", missingIndicator: true, categories: ["a", "b"] }, { kind: "embedding" }])).toEqual([
      { kind: "numeric", col: 0 },
      { kind: "onehot", cols: [1] },
      { kind: "onehot", cols: [2, 3, 4] },
      { kind: "cat", index: 0 },
    ]);
    expect(() => copulaColumns(4, 0, [{ kind: "numeric" }])).toThrow(/describe 1 dense/);
  });
});
