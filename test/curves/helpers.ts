import { normal, rng } from "../../src/curves/random.js";
import type { CurvePoint } from "../../src/curves/index.js";

export const SIZES = [100, 200, 400, 800, 1600, 3200, 6400];

/** Points from a true mean curve with Gaussian seed noise (seeded, so tests are deterministic). */
export function simulate(truth: (n: number) => number, opts: { sizes?: number[]; seeds?: number; sd?: number; seed?: number } = {}): CurvePoint[] {
  const z = normal(rng(opts.seed ?? 1));
  const out: CurvePoint[] = [];
  for (const n of opts.sizes ?? SIZES) {
    for (let s = 0; s < (opts.seeds ?? 3); s++) out.push({ n, score: truth(n) + (opts.sd ?? 0) * z(), seed: s });
  }
  return out;
}

/**
 * Paired baseline and strategy runs on the same sizes and seeds. Each seed's subset adds a noise component that both
 * curves share (autocorrelated across the nested sizes, as nested subsets are), plus noise of each run's own; the
 * noise sd falls slowly with n.
 */
export function simulatePair(
  base: (n: number) => number,
  strategy: (n: number) => number,
  opts: { sizes?: number[]; seeds?: number; sd?: number; seed?: number } = {},
): { baseline: CurvePoint[]; strategy: CurvePoint[] } {
  const z = normal(rng(opts.seed ?? 1));
  const sd = opts.sd ?? 0.006;
  const baseline: CurvePoint[] = [];
  const strat: CurvePoint[] = [];
  for (let k = 0; k < (opts.seeds ?? 3); k++) {
    let shared = 0;
    for (const n of opts.sizes ?? SIZES) {
      shared = 0.6 * shared + 0.8 * z();
      const sdn = sd * Math.pow(400 / n, 0.25);
      baseline.push({ n, seed: k, score: base(n) + sdn * (0.7 * shared + 0.7 * z()) });
      strat.push({ n, seed: k, score: strategy(n) + sdn * (0.7 * shared + 0.7 * z()) });
    }
  }
  return { baseline, strategy: strat };
}
