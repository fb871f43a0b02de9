/**
 * Parzen estimators for TPE (as in Optuna's univariate sampler): a mixture of normals truncated to the parameter's
 * internal interval, one per observation plus a broad prior component, with bandwidths from the gaps to neighbouring
 * observations; and, for categorical parameters, smoothed choice frequencies.
 */
import { normCdf } from "../../curves/random.js";
import { normalQuantile } from "../../stats.js";
import type { Rng } from "../../rng.js";

export interface NumericParzen {
  mus: number[];
  sigmas: number[];
  weights: number[];
  lo: number;
  hi: number;
}

/**
 * Bandwidth of each observation: the larger gap to its neighbours (the interval's ends count as neighbours), clipped
 * to [range / min(100, 1 + m), range]. The lower clip keeps a cluster of near-identical observations from collapsing
 * the estimator to a spike that would stop exploration around it.
 */
export function numericParzen(obs: readonly number[], lo: number, hi: number, priorWeight: number): NumericParzen {
  const range = hi - lo;
  const m = obs.length;
  const minSigma = range / Math.min(100, 1 + m);
  const order = obs.map((_, i) => i).sort((a, b) => obs[a]! - obs[b]!);
  const sigmas = new Array<number>(m);
  order.forEach((i, k) => {
    const left = k > 0 ? obs[order[k - 1]!]! : lo;
    const right = k < m - 1 ? obs[order[k + 1]!]! : hi;
    const gap = Math.max(obs[i]! - left, right - obs[i]!);
    sigmas[i] = Math.min(range, Math.max(minSigma, gap));
  });
  const total = m + priorWeight;
  return {
    mus: [...obs, (lo + hi) / 2],
    sigmas: [...sigmas, range],
    weights: [...obs.map(() => 1 / total), priorWeight / total],
    lo,
    hi,
  };
}

/** Log density of the truncated mixture at x. */
export function numericLogPdf(p: NumericParzen, x: number): number {
  let s = 0;
  for (let i = 0; i < p.mus.length; i++) {
    const sd = p.sigmas[i]! || 1e-12;
    const mass = normCdf((p.hi - p.mus[i]!) / sd) - normCdf((p.lo - p.mus[i]!) / sd);
    const z = (x - p.mus[i]!) / sd;
    s += (p.weights[i]! * Math.exp(-0.5 * z * z)) / (sd * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
  }
  return Math.log(Math.max(s, 1e-300));
}

/** A draw from the truncated mixture: pick a component, then invert its truncated normal CDF. */
export function numericSample(p: NumericParzen, rng: Rng): number {
  let r = rng();
  let i = 0;
  while (i < p.weights.length - 1 && r > p.weights[i]!) r -= p.weights[i++]!;
  const mu = p.mus[i]!;
  const sd = p.sigmas[i]! || 1e-12;
  const a = normCdf((p.lo - mu) / sd);
  const b = normCdf((p.hi - mu) / sd);
  const u = a + rng() * (b - a);
  const x = mu + sd * normalQuantile(Math.min(1 - 1e-12, Math.max(1e-12, u)));
  return Math.min(p.hi, Math.max(p.lo, x));
}

/** Choice probabilities: counts plus the prior weight spread evenly over the choices. */
export function categoricalParzen(obs: readonly number[], k: number, priorWeight: number): number[] {
  const w = new Array<number>(k).fill(priorWeight / k);
  for (const o of obs) w[o] = w[o]! + 1;
  const t = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / t);
}

export function categoricalSample(probs: readonly number[], rng: Rng): number {
  let r = rng();
  for (let i = 0; i < probs.length - 1; i++) {
    if (r < probs[i]!) return i;
    r -= probs[i]!;
  }
  return probs.length - 1;
}
