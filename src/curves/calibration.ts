/**
 * The calibration of samples-for-target answers, learnt on the engine corpus of real deep-net learning curves
 * (bench/corpus/, `npm run bench -- truth` with TRUTH_LEARN=1 prints these constants; see calibrate.ts for how).
 * Fitted families bend too little once a deep-net curve starts to flatten, so their extrapolations reach a target
 * too soon (Mahmood et al., CVPR 2022, saw the same); and the bootstrap/mixture spread of the crossing n is far
 * wider than the errors the forecaster really makes on such curves.
 */
import { normalQuantile } from "../stats.js";

export interface Calibration {
  /**
   * Weight (0-1) of the log-linear extrapolation against the fitted families beyond the largest measured size, in
   * the samples-for-target answer only: a family mixture weighted by how the families extrapolated on the corpus
   * (0 = the families as fitted). Score forecasts (scoreAt, gains, asymptote) keep the families: on the LCDB
   * curves (LibLinear, which saturates within a few doublings) the blend doubled the score forecasts' error.
   */
  blend: number;
  /**
   * How much the families' own answer must be in doubt for the full blend: the blend's weight is
   * blend x min(1, w / blendSpread), w = ln(hi / lo) of the families' interval for the crossing n (unbounded: the
   * full blend). 0 always blends fully. Where the measured sizes pin the curve down (a clean power law: the
   * families' draws agree) the families stand; where they leave the bend open (noisy deep-net curves, whose fitted
   * asymptotes come too early) the corpus' prior takes over.
   */
  blendSpread: number;
  /**
   * The curvature prior of that extrapolation: the gain of each further doubling of n is this share of the one
   * before, starting from the fitted gain per doubling over the last `slopeSpan` doublings (1 = linear in log n).
   */
  curvature: number;
  /**
   * Over how many of the last measured doublings the starting gain per doubling is read (at most all of them):
   * 1 reads the latest local slope; more reads through a noisy or flat stretch.
   */
  slopeSpan: number;
  /** Scale of the draws' own log-spread of the crossing n around the answer (1 = as drawn). */
  spreadScale: number;
  /** Standard deviation of log(truth / answer) added per doubling of extrapolation (answer / nMax), in natural log units. */
  horizonSd: number;
  /**
   * Widening of the intervals beyond nMax per sign of thin evidence (a fit on fewer than 6 sizes counts once, fewer
   * than 4 twice, one family carrying the fit once): the intervals grow by (1 + thinEvidence)^count. Not learnt
   * (the corpus has too few such fits to learn it from): a fixed margin so the numbers carry the doubt the
   * diagnostics state in words.
   */
  thinEvidence: number;
  /**
   * A curve read as flat (no measurable gain over the sizes measured) keeps this probability of rising again
   * beyond nMax: deep nets often sit flat while the recipe underfits small data, then rise. The rise is drawn
   * uniformly up to a share 1 - 2^(-h/2) of the headroom to the metric's best value, h doublings beyond nMax.
   */
  flatResume: number;
}

/** The uncalibrated forecaster (the answers before issue 17). */
export const NO_CALIBRATION: Calibration = { blend: 0, blendSpread: 0, curvature: 1, slopeSpan: 1, spreadScale: 1, horizonSd: 0, thinEvidence: 0, flatResume: 0 };

/**
 * The shipped calibration. The corpus' blend toward a log-linear tail (gain per doubling decaying by 0.95) at half
 * weight, and only as far as the families' own answer is in doubt (full at ln(hi/lo) = 6); the interval terms learnt
 * on the engine corpus with the bootstrap's own spread kept. Half, not the 0.75 learnt on the corpus
 * (`LEARNT_CALIBRATION`): on a clean power law with a real asymptote (0.95 - 2 n^-0.5 fitted on 100-1,600) the
 * families answer 63,700 for a target reached at 17,800 and the 0.75 blend 4,200; half answers 5,400 (1,000-34,000),
 * and the truth bench's engine figures at 4x-16x stay within 1.4-1.8x in the median (see the README).
 */
export const CALIBRATION: Calibration = { blend: 0.5, blendSpread: 6, curvature: 0.95, slopeSpan: 4, spreadScale: 1, horizonSd: 0.55, thinEvidence: 0.25, flatResume: 0.2 };

/** Learnt on every curve of the engine corpus; the bench grades it leave-one-curve-out. */
export const LEARNT_CALIBRATION: Calibration = { blend: 0.75, blendSpread: 12, curvature: 0.95, slopeSpan: 4, spreadScale: 0.4, horizonSd: 0.35, thinEvidence: 0.25, flatResume: 0.2 };

/** The blend weight when the families' own interval for the crossing n is lo-hi (see Calibration.blendSpread). */
export function blendWeight(cal: Calibration, lo: number, hi: number): number {
  if (cal.blend === 0 || cal.blendSpread <= 0) return cal.blend;
  const w = lo > 0 && Number.isFinite(hi) ? Math.log(hi / lo) : Infinity;
  return cal.blend * Math.min(1, w / cal.blendSpread);
}

/** The interval widening for `doubts` signs of thin evidence (see Calibration.thinEvidence). */
export function thinEvidenceFactor(cal: Calibration, doubts: number): number {
  return Math.pow(1 + cal.thinEvidence, doubts);
}

/** Gain (error space, positive = better) over h doublings when the first gains b and each next one r times the one before. */
function geometricGain(b: number, h: number, r: number): number {
  if (!(b > 0)) return 0;
  if (!Number.isFinite(h)) return r >= 1 ? Infinity : b / (1 - r);
  return r >= 1 ? b * h : (b * (1 - Math.pow(r, h))) / (1 - r);
}

/** Where the starting slope is read: slopeSpan doublings below nMax, but not below the smallest measured size. */
export function slopeBase(nMin: number, nMax: number, cal: Calibration): number {
  return Math.min(nMax / 2, Math.max(nMin, nMax / Math.pow(2, cal.slopeSpan)));
}

/**
 * Error-space value at n > nMax after the calibration's blend: v (the family's own value at n, or its limit for
 * n = Infinity) mixed with the curvature-prior extrapolation of e (the same fitted curve): from e(nMax), the first
 * doubling gains the fitted mean gain per doubling over the last slopeSpan doublings, and each further one
 * `curvature` times the one before.
 */
export function blendedValue(v: number, e: (n: number) => number, n: number, nMin: number, nMax: number, cal: Calibration): number {
  if (cal.blend === 0 || n <= nMax) return v;
  const e0 = e(nMax);
  const nb = slopeBase(nMin, nMax, cal);
  const g = geometricGain((e(nb) - e0) / Math.log2(nMax / nb), Math.log2(n / nMax), cal.curvature);
  return (1 - cal.blend) * v + cal.blend * (e0 - g);
}

/**
 * The calibrated interval of the crossing n, in log n around the answer `point`: the draws' own spread on each
 * side (lo, hi: their quantiles, scaled by spreadScale) in quadrature with horizonSd per doubling of extrapolation
 * beyond nMax, times the thin-evidence widening for `doubts`. An unbounded side (draws that never reach the target) stays unbounded; spreadScale 1 and horizonSd 0
 * return lo and hi unchanged.
 */
export function calibratedInterval(point: number, lo: number, hi: number, nMax: number, cal: Calibration, confidence: number, doubts = 0): { lo: number; hi: number } {
  const widen = thinEvidenceFactor(cal, doubts);
  if ((cal.spreadScale === 1 && cal.horizonSd === 0 && widen === 1) || !(point > 0) || !Number.isFinite(point)) return { lo, hi };
  const L = Math.log(point);
  const z = normalQuantile((1 + confidence) / 2);
  const h = point > nMax ? Math.log2(point / nMax) : 0;
  const side = (q: number): number => widen * Math.hypot(cal.spreadScale * Math.abs(Math.log(q) - L), z * cal.horizonSd * h);
  // The widening beyond nMax never puts the low end below both the draws' own and the sizes measured: those the
  // Runs already bound (a long horizon would otherwise read "80% interval 1-unbounded").
  return { lo: lo > 0 ? Math.max(Math.exp(L - side(lo)), Math.min(lo, nMax)) : lo, hi: Number.isFinite(hi) ? Math.exp(L + side(hi)) : hi };
}

