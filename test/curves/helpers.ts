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
