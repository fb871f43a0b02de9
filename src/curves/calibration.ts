/**
 * The calibration of samples-for-target answers, learnt on the engine corpus of real deep-net learning curves
 * (bench/corpus/, `npm run bench -- truth` with TRUTH_LEARN=1 prints these constants; see calibrate.ts for how).
 * Fitted families bend too early once a deep-net curve starts to flatten: their asymptotes come too soon and the
 * gain-shrinkage tuned on the LCDB score forecasts holds them back further, so the answers came out too high
 * (8.8x in the median at 8x extrapolation). A power law toward the metric's best value, continued from the fitted
 * recent gain, places the crossing within about 1.3x on the corpus; and the bootstrap/mixture spread of the crossing
 * n is far wider than the errors it makes, while the curve's own run noise, read through its gain per doubling,
 * accounts for most of them.
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
  /**
   * What the tail extrapolates. "linear": the error itself (each doubling gains `curvature` times the error the one
   * before gained), then shrunk as the families' gains are (the recent-slope cap, the signal-to-noise shrinkage and
   * the stacking with the last level, all tuned on the LCDB score forecasts). "power": the log of the error above the
   * metric's best value (each doubling divides the excess error by a factor whose log is `curvature` times the one
   * before's; curvature 1 is a pure power law toward the best value), entering unshrunk: it is read off the
   * recent slope already, and shrinking it again made every deep-net answer too high. Metrics without a best value
   * read "power" as "linear".
   */
  tail: "linear" | "power";
  /**
   * Where the families say the target is out of reach (or their point forecast never reaches it), whether their
   * verdict stands "always" (the tail only places targets the families reach) or only "where-flat": where the
   * curve's latest doubling agrees, its fitted gain continued with the same curvature never reaching the target
   * either. A clear plateau stays out of reach; a flat stretch followed by a rise, which the families also read as a
   * plateau, is placed by the tail (deep nets often sit flat while the recipe underfits small data, then rise).
   */
  familiesVerdict: "always" | "where-flat";
  /** Scale of the draws' own log-spread of the crossing n around the answer (1 = as drawn). */
  spreadScale: number;
  /**
   * Scale of the run-to-run noise's share of the interval (0 = none): how far the crossing moves when the target
   * moves by the noise of a size's mean score as the curve was measured (FittedCurve.noiseReach), in log n. A
   * curve that gains little per doubling where it crosses the target (a saturating one) cannot place the crossing
   * closer than its own noise allows, however tight the draws agree; and a target within that noise of the last
   * level may be met at the very next size.
   */
  runNoise: number;
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
export const NO_CALIBRATION: Calibration = { runNoise: 0, blend: 0, blendSpread: 0, curvature: 1, slopeSpan: 1, tail: "linear", familiesVerdict: "always", spreadScale: 1, horizonSd: 0, thinEvidence: 0, flatResume: 0 };

/**
 * The shipped calibration: what was learnt on the engine corpus (`LEARNT_CALIBRATION`) for the answer itself (a
 * power-law tail toward the metric's best value, read off the fitted gain over the last four doublings and slowing
 * by 0.95 per doubling, at full weight wherever the families' own interval is wider than e^6), with wider interval
 * terms than learnt (0.6 of the draws' own spread, not 0.3; 0.1 per doubling of horizon, not 0.05) on top of the
 * run noise's reach: learnt on six curves and graded on the seventh, the learnt terms held 77-87% of the engine
 * truths and 61-75% of the LCDB ones (which never take part in learning); these 80-91% and 65-79%, at a median
 * width of 4-5 on the engine curves (see the README).
 */
export const CALIBRATION: Calibration = { blend: 1, blendSpread: 6, curvature: 0.95, slopeSpan: 4, tail: "power", familiesVerdict: "where-flat", spreadScale: 0.6, horizonSd: 0.1, runNoise: 1, thinEvidence: 0.25, flatResume: 0.2 };

/** Learnt on every curve of the engine corpus; the bench grades it leave-one-curve-out. */
export const LEARNT_CALIBRATION: Calibration = { blend: 1, blendSpread: 6, curvature: 0.95, slopeSpan: 4, tail: "power", familiesVerdict: "where-flat", spreadScale: 0.3, horizonSd: 0.05, runNoise: 1, thinEvidence: 0.25, flatResume: 0.2 };

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
export function blendedValue(v: number, e: (n: number) => number, n: number, nMin: number, nMax: number, cal: Calibration, eLo = -Infinity): number {
  if (cal.blend === 0 || n <= nMax) return v;
  return (1 - cal.blend) * v + cal.blend * tailValue(e, n, nMin, nMax, cal, eLo);
}

/**
 * An error-space value at n > nMax (n = Infinity: the limit) under the calibration: v, the family's own value there
 * (e the fitted curve), goes through the families' gain shrinkage (`shrink`: signal-to-noise, recent-slope share,
 * stacking with the last level). A "linear" tail is blended in before the shrinkage (the limit kept at or above eLo);
 * a "power" tail is mixed in after it, unshrunk, by the blend weight, never below eLo (see Calibration.tail).
 */
export function beyondLargest(v: number, e: (n: number) => number, n: number, nMin: number, nMax: number, cal: Calibration, eLo: number, shrink: (v: number) => number): number {
  if (cal.blend > 0 && cal.tail === "power") return Math.max((1 - cal.blend) * shrink(v) + cal.blend * tailValue(e, n, nMin, nMax, cal, eLo), eLo);
  if (cal.blend === 0) return shrink(v);
  const b = blendedValue(v, e, n, nMin, nMax, cal, eLo);
  return shrink(n === Infinity ? Math.max(b, eLo) : b);
}

/** The curvature-prior extrapolation alone (see blendedValue). */
export function tailValue(e: (n: number) => number, n: number, nMin: number, nMax: number, cal: Calibration, eLo = -Infinity): number {
  const e0 = e(nMax);
  const nb = slopeBase(nMin, nMax, cal);
  const h = Math.log2(n / nMax);
  const span = Math.log2(nMax / nb);
  if (cal.tail === "power" && Number.isFinite(eLo) && e0 > eLo) {
    const rate = Math.log(Math.max(e(nb) - eLo, e0 - eLo) / (e0 - eLo)) / span;
    const drop = geometricGain(rate, h, cal.curvature);
    return eLo + (e0 - eLo) * Math.exp(-drop);
  }
  return e0 - geometricGain((e(nb) - e0) / span, h, cal.curvature);
}

/**
 * The calibrated interval of the crossing n, in log n around the answer `point`: the draws' own spread on each
 * side (lo, hi: their quantiles, scaled by spreadScale) in quadrature with horizonSd per doubling of extrapolation
 * beyond nMax and the run noise's reach on each side (`noise`: log distances at this confidence, from
 * FittedCurve.noiseReach; an infinite side is unbounded), times the thin-evidence widening for `doubts`. An
 * unbounded side (draws that never reach the target) stays unbounded; spreadScale 1, horizonSd 0 and no noise return
 * lo and hi unchanged.
 */
export function calibratedInterval(
  point: number,
  lo: number,
  hi: number,
  nMax: number,
  cal: Calibration,
  confidence: number,
  doubts = 0,
  noise: { lo: number; hi: number } = { lo: 0, hi: 0 },
): { lo: number; hi: number } {
  const widen = thinEvidenceFactor(cal, doubts);
  const nLo = cal.runNoise * noise.lo;
  const nHi = cal.runNoise * noise.hi;
  if ((cal.spreadScale === 1 && cal.horizonSd === 0 && widen === 1 && !(nLo > 0) && !(nHi > 0)) || !(point > 0) || !Number.isFinite(point)) return { lo, hi };
  const L = Math.log(point);
  const z = normalQuantile((1 + confidence) / 2);
  const h = point > nMax ? Math.log2(point / nMax) : 0;
  const side = (q: number, n: number): number => widen * Math.hypot(cal.spreadScale * Math.abs(Math.log(q) - L), z * cal.horizonSd * h, n);
  // The widening beyond nMax never puts the low end below both the draws' own and the sizes measured: those the
  // Runs already bound (a long horizon would otherwise read "80% interval 1-unbounded").
  return { lo: lo > 0 ? Math.max(Math.exp(L - side(lo, nLo)), Math.min(lo, nMax)) : lo, hi: Number.isFinite(hi) ? Math.exp(L + side(hi, nHi)) : hi };
}

