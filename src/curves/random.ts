/** Seeded randomness: every random choice in the curves layer goes through one of these. */
import { mulberry32 } from "../rng.js";

/** Uniforms in [0, 1) from a seed (mulberry32, shared with the other layers). */
export function rng(seed: number): () => number {
  return mulberry32((Math.floor(seed) ^ 0x9e3779b9) >>> 0);
}

/** Standard normal draws (Box-Muller) from a uniform generator. */
export function normal(u: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let r = 0;
    let v = 0;
    while (r === 0) r = u();
    v = u();
    const m = Math.sqrt(-2 * Math.log(r));
    spare = m * Math.sin(2 * Math.PI * v);
    return m * Math.cos(2 * Math.PI * v);
  };
}

/** Inverse standard normal CDF (Acklam's rational approximation, shared with the other layers in src/stats.ts). */
export { normalQuantile as normInv } from "../stats.js";

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf, |error| < 1.5e-7). */
export function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
