/**
 * fitCurve: families fitted to every seed's point, chosen and combined by rolling-origin validation on the
 * user's own curve, with uncertainty from a bootstrap (parameter uncertainty), the mixture over families (model
 * disagreement) and an extrapolation term calibrated on the same rolling-origin forecasts.
 */
import { InputError } from "../errors.js";
import { aggregatePoints, type AggregatedPoint } from "./aggregate.js";
import { beyondLargest, NO_CALIBRATION, type Calibration } from "./calibration.js";
import { FAMILIES, type Family, type FamilyContext, type FitData } from "./families.js";
import { evalFamily, fitFamily, type FamilyFit } from "./fitfamily.js";
import { metricInfo } from "./metric.js";
import { orientation, type Orientation } from "./orientation.js";
import { normal, rng } from "./random.js";
import type { CurvePoint, FitOptions, MetricInfo } from "./types.js";

/** One family in the combination (or the last1 baseline when `fam` is undefined). */
export interface Member {
  name: string;
  fam?: Family;
  fit?: FamilyFit;
  /** last1: the mean error at the largest n. */
  constant?: number;
  weight: number;
  /** Rolling-origin RMSE in metric units (NaN when there were too few sizes to validate). */
  cvError: number;
}

/** One draw of the fitted curve: a family with bootstrap parameters and an extrapolation gain factor. */
export interface Sample {
  fam?: Family;
  p?: Float64Array;
  ctx: FamilyContext;
  constant?: number;
  w: number;
  /** Multiplies the gain predicted beyond nMax (1 = as fitted). */
  k: number;
  /** Error at nMax for this draw (where the gain factor starts acting). */
  e0: number;
  /** Horizon spread of this draw: sd (error units) of its offset per doubling of n beyond nMax. */
  rho: number;
  /** Share of the forecast beyond nMax pulled to `level` (the stacking weight of last1 against the families). */
  lam: number;
  /** The last observed level in this draw (error space). */
  level: number;
  /** Variance scale below which a forecast gain beyond nMax is treated as a fit artefact (see keptGain). */
  gv: number;
}

export interface Prepared {
  metric: MetricInfo;
  orient: Orientation;
  points: CurvePoint[];
  agg: AggregatedPoint[];
  data: FitData;
  ctx: FamilyContext;
  nMax: number;
  hasReplicates: boolean;
  /** Noise variance (error space) of one run at each distinct size, aligned with agg. */
  noiseVar: number[];
}

export interface FitState {
  prep: Prepared;
  members: Member[];
  samples: Sample[];
  /** Extrapolation spread: sd of log(actual gain / forecast gain) beyond nMax, from rolling-origin forecasts. */
  tau: number;
  /** Noise sd of one run at nMax (error/metric units). */
  sigmaObs: number;
  cvPairs: number;
  /** Stacking weight of the last observed level against the combined families beyond nMax (0 = families only). */
  lam: number;
  /** Share of the families' gain beyond nMax kept after the recent-slope test (1 = as fitted). */
  kappa: number;
  /** Lack-of-fit sd (error units): how far the seed means sit from the fitted curve beyond their standard errors. */
  lackOfFit: number;
  /** Last observed level (error space): the mean at nMax. */
  level: number;
  /** Variance scale below which a forecast gain beyond nMax is treated as a fit artefact (see keptGain). */
  gainNoiseVar: number;
}

const PRIOR_TAU = 0.5;
/** Size of the log-spaced grid for the horizon spread rho. */
const HORIZON_GRID = 20;
/** Exponential prior on rho, mean RHO_PRIOR_MEAN x the curve's observed range (tuned on the even LCDB curves). */
const RHO_PRIOR_MEAN = 0.01;
/**
 * Prior for the stacking weight of the last observed level (see stackLevel): a handful of held-out points gives a
 * noisy weight, and on real curves the families tend to forecast growth on curves that go flat late. Both
 * constants were tuned on the even-numbered LCDB curves only (bench/curves.bench.ts reports the odd ones apart).
 */
const LAMBDA_PRIOR = 0.3;
const LAMBDA_PRIOR_WEIGHT = 8;
/** Recent-slope test: the window (in doublings of n below nMax) and the prior sd of the kept share of gain. */
const SLOPE_WINDOW_DOUBLINGS = 2;
const SLOPE_PRIOR_SD = 1;
const SLOPE_CAP_Z = 0.5;
/**
 * Signal-to-noise shrinkage of the forecast gain beyond nMax: a gain g is kept in the share g^2 / (g^2 + V), with
 * V = GAIN_NOISE_Z2 x the noise variance of the last level. Families fitted to noisy points produce spurious gains
 * of about one noise sd even on a flat curve, so a gain within the noise is mostly an artefact of the fit, while a
 * gain well beyond it is kept nearly whole. Tuned on the even-numbered LCDB curves only.
 */
const GAIN_NOISE_Z2 = 1;
/** Weight of each older rolling origin relative to the next newer one. */
const CV_DECAY = 0.5;

/** The forecast gain g (error space, beyond nMax) after the signal-to-noise shrinkage with variance scale v. */
export function keptGain(g: number, v: number): number {
  return v > 0 ? (g * g * g) / (g * g + v) : g;
}

export function validatePoints(points: readonly CurvePoint[]): CurvePoint[] {
  if (!Array.isArray(points) || points.length === 0) {
    throw new InputError("CURVE_EMPTY", "the learning curve has no points", { hint: "give at least 3 distinct sizes n, ideally 5 or more with several seeds each" });
  }
  points.forEach((p, i) => {
    if (!Number.isFinite(p.n) || p.n <= 0) throw new InputError("CURVE_BAD_N", `point ${i + 1}: n must be a positive number, got ${p.n}`, { hint: "n is the training-set size" });
    if (!Number.isFinite(p.score)) throw new InputError("CURVE_BAD_SCORE", `point ${i + 1}: score must be a finite number, got ${p.score}`);
  });
  return [...points].sort((a, b) => a.n - b.n);
}

export function prepare(points: readonly CurvePoint[], metricIn: MetricInfo | string): Prepared {
  const metric = typeof metricIn === "string" ? metricInfo(metricIn) : metricIn;
  const pts = validatePoints(points);
  const agg = aggregatePoints(pts);
  if (agg.length < 3) {
    throw new InputError("CURVE_TOO_FEW", `a learning curve needs at least 3 distinct sizes n; got ${agg.length}`, {
      hint: "measure the score at more training-set sizes (geometric steps such as 1k, 2k, 4k, 8k work well)",
    });
  }
  for (const p of pts) {
    if ((metric.lower !== undefined && p.score < metric.lower - 1e-9) || (metric.upper !== undefined && p.score > metric.upper + 1e-9)) {
      throw new InputError("CURVE_OUT_OF_RANGE", `score ${p.score} at n=${p.n} is outside the range of ${metric.name} [${metric.lower ?? "-inf"}, ${metric.upper ?? "inf"}]`, {
        hint: "check the --metric option matches the score column",
      });
    }
  }
  const orient = orientation(metric);
  const hasReplicates = agg.some((a) => a.count > 1);
  // Per-size noise variance, shrunk toward the pooled within-size variance (a handful of seeds gives a poor sd).
  let pooledNum = 0;
  let pooledDen = 0;
  for (const a of agg) if (a.count > 1) {
    pooledNum += (a.count - 1) * a.sd * a.sd;
    pooledDen += a.count - 1;
  }
  const scale = Math.max(...agg.map((a) => Math.abs(a.mean)), 1e-12);
  const pooled = pooledDen > 0 ? Math.max(pooledNum / pooledDen, (1e-6 * scale) ** 2) : NaN;
  const nu0 = 4;
  const noiseVar = agg.map((a) => (pooledDen > 0 ? (nu0 * pooled + (a.count - 1) * a.sd * a.sd) / (nu0 + a.count - 1) : 1));
  const varOf = new Map(agg.map((a, i) => [a.n, noiseVar[i]!]));
  const e = Float64Array.from(pts.map((p) => orient.toE(p.score)));
  const w = Float64Array.from(pts.map((p) => 1 / varOf.get(p.n)!));
  const wMean = w.reduce((s, v) => s + v, 0) / w.length;
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / wMean;
  const data: FitData = { n: Float64Array.from(pts.map((p) => p.n)), e, w };
  const nMax = agg[agg.length - 1]!.n;
  return { metric, orient, points: pts, agg, data, ctx: makeContext(data, nMax, orient.eLo), nMax, hasReplicates, noiseVar };
}

export function makeContext(d: FitData, s: number, eLo: number): FamilyContext {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d.e) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = Math.max(hi - lo, 1e-9 * (Math.abs(hi) + 1));
  return { s, eLo, eHi: hi + 0.05 * range, range };
}

function subset(d: FitData, nUpTo: number): FitData {
  const idx: number[] = [];
  for (let i = 0; i < d.n.length; i++) if (d.n[i]! <= nUpTo) idx.push(i);
  return { n: Float64Array.from(idx.map((i) => d.n[i]!)), e: Float64Array.from(idx.map((i) => d.e[i]!)), w: Float64Array.from(idx.map((i) => d.w[i]!)) };
}

/** Mean error of the points at size n. */
export function meanAt(d: FitData, n: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < d.n.length; i++) if (d.n[i] === n) {
    s += d.e[i]!;
    c++;
  }
  return s / c;
}

interface CvRecord {
  /** Per member: forecasts at each later size (error space), and the fitted value at the origin size. */
  pred: Map<string, { later: number[]; atOrigin: number }>;
  originN: number;
  laterIdx: number[];
  /** Last observed level at the origin (the mean at originN). */
  level: number;
}

/** Origins for rolling-origin validation: up to `maxOrigins` cut points between half the sizes and the last-but-one. */
function origins(m: number, maxOrigins: number): number[] {
  const first = Math.max(3, Math.ceil(m / 2));
  const last = m - 1;
  if (last < first) return m >= 4 ? [m - 1] : [];
  const out = new Set<number>();
  const k = Math.min(maxOrigins, last - first + 1);
  for (let i = 0; i < k; i++) out.add(Math.round(last - ((last - first) * i) / Math.max(1, k - 1)));
  return [...out].sort((a, b) => a - b);
}

/** Level of a constant member from the points with n <= nUpTo: last1 = the mean at the largest size, plateau = the
 * mean over the last few sizes (a curve that has saturated, read with less noise than one point). */
export function constantLevel(name: string, d: FitData, nUpTo: number): number {
  const sizes = [...new Set(Array.from(d.n).filter((n) => n <= nUpTo))].sort((a, b) => a - b);
  if (name === "last1") return meanAt(d, sizes[sizes.length - 1]!);
  const L = Math.min(sizes.length, Math.max(2, Math.min(4, Math.floor(sizes.length / 3))));
  let s = 0;
  for (const n of sizes.slice(sizes.length - L)) s += meanAt(d, n);
  return s / L;
}

function rollingOrigin(prep: Prepared, fams: readonly Family[], constants: string[]): CvRecord[] {
  const sizes = prep.agg.map((a) => a.n);
  const recs: CvRecord[] = [];
  for (const j of origins(sizes.length, 4)) {
    const originN = sizes[j - 1]!;
    const d = subset(prep.data, originN);
    const ctx = makeContext(d, originN, prep.ctx.eLo);
    const laterIdx = sizes.map((_, i) => i).filter((i) => i >= j);
    const pred = new Map<string, { later: number[]; atOrigin: number }>();
    for (const fam of fams) {
      const f = fitFamily(fam, d, ctx, { maxStarts: 2, maxIter: 60, tol: 1e-8, robust: true });
      pred.set(fam.name, { later: laterIdx.map((i) => evalFamily(fam, f.p, ctx, sizes[i]!)), atOrigin: evalFamily(fam, f.p, ctx, originN) });
    }
    for (const name of constants) {
      const c = constantLevel(name, d, originN);
      pred.set(name, { later: laterIdx.map(() => c), atOrigin: c });
    }
    recs.push({ pred, originN, laterIdx, level: meanAt(d, originN) });
  }
  return recs;
}

/**
 * Combination weights from the validation errors: inverse-MSE weights (Bates-Granger) over the families whose
 * error is within a factor of the best; exact-shape aliases take no weight of their own.
 */
/**
 * Families fitted and reported but kept out of the combination: log2 has no asymptote (in error space it reaches
 * the perfect score at a finite n), so whenever short-horizon validation favours it, its long-range forecasts
 * dominate; on the LCDB benchmark it was the worst family and its exclusion lowered the combination's error.
 */
const NOT_COMBINED = new Set(["log2"]);

function combine(members: Member[]): void {
  const cands = members.filter((m) => Number.isFinite(m.cvError) && !m.fam?.aliasOf && !NOT_COMBINED.has(m.name));
  if (cands.length === 0) return;
  const best = Math.min(...cands.map((m) => m.cvError));
  const floor = Math.max(best, 1e-12);
  let total = 0;
  for (const m of cands) {
    if (m.cvError <= 2 * floor) {
      m.weight = 1 / Math.max(m.cvError, floor * 0.5) ** 2;
      total += m.weight;
    }
  }
  for (const m of members) m.weight = total > 0 ? m.weight / total : 0;
  // Drop negligible weights so bootstrap effort goes to families that matter.
  let t2 = 0;
  for (const m of members) {
    if (m.weight < 0.02) m.weight = 0;
    t2 += m.weight;
  }
  for (const m of members) m.weight /= t2;
}

export function memberValue(m: Member, n: number): number {
  if (m.fam) return evalFamily(m.fam, m.fit!.p, m.fit!.ctx, n);
  return m.constant!;
}

/** Noise sd of one run, in error units, at the largest size. */
function noiseSd(prep: Prepared, members: Member[]): number {
  // Noise shrinks as n grows (small training sets give erratic models), and forecasts are made beyond nMax:
  // estimate it on the upper half of the sizes only.
  const sizes = prep.agg.map((a) => a.n);
  const nCut = sizes[Math.floor(sizes.length / 2)]!;
  if (prep.hasReplicates) {
    const up = prep.noiseVar.filter((_, i) => sizes[i]! >= nCut);
    return Math.sqrt(up.reduce((a, b) => a + b, 0) / up.length);
  }
  // One run per size: residual variance of the weighted fitted families (dof-corrected)...
  const N = prep.data.n.length;
  const upper: number[] = [];
  for (let i = 0; i < N; i++) if (prep.data.n[i]! >= nCut) upper.push(i);
  let num = 0;
  let den = 0;
  for (const m of members) {
    if (!m.fam || m.weight <= 0 || N <= m.fam.paramNames.length) continue;
    let sse = 0;
    for (const i of upper) sse += (memberValue(m, prep.data.n[i]!) - prep.data.e[i]!) ** 2;
    num += (m.weight * sse) / (upper.length * (1 - m.fam.paramNames.length / N));
    den += m.weight;
  }
  // ...or, when every family interpolates, second differences of the means (removes locally linear trends).
  const y = prep.agg.filter((a) => a.n >= nCut || prep.agg.length < 6).map((a) => prep.orient.toE(a.mean));
  let d2 = 0;
  for (let i = 1; i + 1 < y.length; i++) d2 += (y[i + 1]! - 2 * y[i]! + y[i - 1]!) ** 2;
  const v2 = y.length >= 3 ? d2 / (6 * (y.length - 2)) : 0;
  // Residuals of the fitted families also carry their misfit (a kink the smooth families miss); second
  // differences carry only local curvature: the smaller of the two is the closer estimate of run-to-run noise.
  const v = den > 0 ? (y.length >= 4 ? Math.min(num / den, v2) : num / den) : v2;
  const floor = 1e-6 * (prep.ctx.range + Math.abs(y[y.length - 1]!));
  return Math.max(Math.sqrt(v), floor);
}

/**
 * Extrapolation spread from the rolling-origin forecasts of the combination: actual - forecast at later sizes is
 * modelled as N(0, noise^2 + (tau * forecast gain)^2); tau is the maximum a posteriori value under a weak prior
 * centred on PRIOR_TAU (one pseudo-observation), so a short curve falls back on the prior.
 */
export interface TauPosterior {
  /** Maximum a posteriori value. */
  tau: number;
  pairs: number;
  /** Grid (log-spaced) and posterior mass, so draws integrate over tau instead of trusting one value. */
  grid: number[];
  /** Horizon spread of each grid cell (sd per doubling beyond the origin, error units), aligned with grid. */
  rho: number[];
  mass: number[];
}

/** The combination's rolling-origin forecasts: per origin, the combined forecast at each later size and at the origin. */
function combinedCv(recs: CvRecord[], members: Member[]): { later: number[]; atOrigin: number; level: number }[] {
  return recs.map((rec) => {
    let wsum = 0;
    const later = rec.laterIdx.map(() => 0);
    let atOrigin = 0;
    for (const m of members) {
      const p = rec.pred.get(m.name);
      if (!p || m.weight <= 0) continue;
      wsum += m.weight;
      p.later.forEach((v, k) => (later[k] = later[k]! + m.weight * v));
      atOrigin += m.weight * p.atOrigin;
    }
    return { later: wsum > 0 ? later.map((v) => v / wsum) : later.map(() => NaN), atOrigin: wsum > 0 ? atOrigin / wsum : NaN, level: rec.level };
  });
}

/**
 * Stacking of two forecasters on the curve's own rolling-origin record: the combined families C and the last
 * observed level L. lambda minimises the recency-weighted squared error of (1 - lambda) C + lambda L over the
 * held-out later sizes (clipped to [0, 1]); a curve that has gone flat late, where last1 forecast well and the
 * families kept forecasting growth, gets its extrapolated gain shrunk toward its last level.
 */
function stackLevel(prep: Prepared, recs: CvRecord[], members: Member[], levelVar: number): number {
  if (recs.length === 0) return LAMBDA_PRIOR;
  const comb = combinedCv(recs, members);
  const pts: { w: number; d: number; r: number }[] = [];
  let wTot = 0;
  comb.forEach((c, r) => {
    if (!Number.isFinite(c.atOrigin)) return;
    const wo = CV_DECAY ** (recs.length - 1 - r);
    wTot += wo;
    recs[r]!.laterIdx.forEach((i, k) => {
      // d: the families' forecast gain over the last level; r: their forecast error.
      pts.push({ w: wo / recs[r]!.laterIdx.length, d: c.later[k]! - c.level, r: c.later[k]! - prep.orient.toE(prep.agg[i]!.mean) });
    });
  });
  let num = 0;
  let den = 0;
  for (const q of pts) {
    num += q.w * q.d * q.r;
    den += q.w * q.d * q.d;
  }
  // Prior: LAMBDA_PRIOR_WEIGHT pseudo-forecasts per origin whose gain over the last level is one noise sd. Where the
  // families' forecast gains are large against the noise (a clean, still-rising curve) the curve's own record
  // decides; where they are within the noise (a curve near its plateau) the prior does.
  const P = LAMBDA_PRIOR_WEIGHT * wTot * levelVar;
  if (!(den + P > 0)) return LAMBDA_PRIOR;
  return Math.min(1, Math.max(0, (num + P * LAMBDA_PRIOR) / (den + P)));
}

/**
 * Lack of fit with several seeds per size: the seed means scatter around the combined fit by more than their
 * standard errors when no family has the curve's exact shape. That excess (a method-of-moments variance
 * component, dof-corrected) is a bias the parametric bootstrap cannot see; the curve intervals add it. With one
 * run per size the noise is itself estimated from the residuals, so there is no separate excess to measure.
 */
function lackOfFit(prep: Prepared, members: Member[]): number {
  if (!prep.hasReplicates) return 0;
  const m = prep.agg.length;
  let num = 0;
  let wsum = 0;
  let pEff = 0;
  for (const mm of members) if (mm.weight > 0) {
    wsum += mm.weight;
    pEff += mm.weight * (mm.fam ? mm.fam.paramNames.length : 1);
  }
  if (!(wsum > 0) || m <= pEff / wsum) return 0;
  prep.agg.forEach((a, i) => {
    let v = 0;
    for (const mm of members) if (mm.weight > 0) v += mm.weight * memberValue(mm, a.n);
    const r = prep.orient.toE(a.mean) - v / wsum;
    num += r * r - prep.noiseVar[i]! / a.count;
  });
  return Math.sqrt(Math.max(0, num / (m - pEff / wsum)));
}

/**
 * Recent-slope test. Over the last SLOPE_WINDOW_DOUBLINGS doublings (at least 3 sizes), the observed gain per
 * doubling b_obs (least squares in log2 n, with its standard error from the seeds' spread or, with one run per
 * size, from the window's own residuals) is compared with the combined fit's gain per doubling b_fit over the same
 * sizes. With b_obs ~ N(kappa * b_fit, se^2) and a prior kappa ~ N(1, SLOPE_PRIOR_SD^2), the posterior mean of
 * kappa (plus SLOPE_CAP_Z posterior sds, clipped to [0, 1]) scales the gain forecast beyond nMax: a curve whose recent gain is measurably below
 * what the families forecast (gone flat late) has its extrapolated growth capped; a noisy one keeps the fit's.
 * The bootstrap draws take kappa from its posterior (same centre, clipped to [0, 1]), so a cap resting on a short
 * flat stretch widens the intervals instead of making a confident "levels off here".
 */
/** The recent-slope share: the point value (clipped to [0, 1]), and the unclipped centre and sd its draws use. */
export interface SlopeShare {
  share: number;
  centre: number;
  sd: number;
}
const NO_CAP: SlopeShare = { share: 1, centre: 1, sd: 0 };

function recentSlopeShare(prep: Prepared, members: Member[]): SlopeShare {
  const m = prep.agg.length;
  const lx = prep.agg.map((a) => Math.log2(a.n));
  let idx = lx.map((_, i) => i).filter((i) => lx[i]! >= lx[m - 1]! - SLOPE_WINDOW_DOUBLINGS - 1e-9);
  if (idx.length < 3) idx = [m - 3, m - 2, m - 1].filter((i) => i >= 0);
  if (idx.length < 3) return NO_CAP;
  const xs = idx.map((i) => lx[i]!);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  if (!(sxx > 0)) return NO_CAP;
  const slope = (ys: number[]): number => {
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    return xs.reduce((a, x, k) => a + (x - mx) * (ys[k]! - my), 0) / sxx;
  };
  const obs = idx.map((i) => prep.orient.toE(prep.agg[i]!.mean));
  const fitted = idx.map((i) => {
    let v = 0;
    let w = 0;
    for (const mm of members) if (mm.weight > 0) {
      v += mm.weight * memberValue(mm, prep.agg[i]!.n);
      w += mm.weight;
    }
    return v / w;
  });
  // Gains per doubling (error falls as n grows).
  const bObs = -slope(obs);
  const bFit = -slope(fitted);
  if (!(bFit > 0)) return NO_CAP;
  let varB: number;
  if (prep.hasReplicates) {
    varB = idx.reduce((a, i, k) => a + (xs[k]! - mx) ** 2 * (prep.noiseVar[i]! / prep.agg[i]!.count), 0) / (sxx * sxx);
  } else {
    if (xs.length < 3) return NO_CAP;
    const my = obs.reduce((a, b) => a + b, 0) / obs.length;
    const b = -bObs;
    const rss = xs.reduce((a, x, k) => a + (obs[k]! - my - b * (x - mx)) ** 2, 0);
    varB = rss / (xs.length - 2) / sxx;
  }
  varB = Math.max(varB, 1e-12 * (bFit * bFit + 1e-12));
  const p0 = 1 / (SLOPE_PRIOR_SD * SLOPE_PRIOR_SD);
  const prec = p0 + (bFit * bFit) / varB;
  const kappa = (p0 + (bObs * bFit) / varB) / prec;
  // Cap only what the data show: SLOPE_CAP_Z posterior sds above the posterior mean, so a clean curve whose
  // estimate falls a little short of 1 by chance keeps its fitted gain.
  const sd = 1 / Math.sqrt(prec);
  return { share: Math.min(1, Math.max(0, kappa + SLOPE_CAP_Z * sd)), centre: kappa + SLOPE_CAP_Z * sd, sd };
}

function estimateTau(prep: Prepared, recs: CvRecord[], members: Member[], sigma: number, lam: number, kappa: number, gv: number): TauPosterior {
  const sizes = prep.agg.map((a) => a.n);
  const pairs: { r: number; g: number; v: number; h: number }[] = [];
  const combined = combinedCv(recs, members);
  recs.forEach((rec, r) => {
    const { later, atOrigin: a0 } = combined[r]!;
    if (!Number.isFinite(a0)) return; // no member forecast from this origin
    rec.laterIdx.forEach((i, k) => {
      const fam = a0 + kappa * keptGain(later[k]! - a0, gv);
      const pred = (1 - lam) * fam + lam * rec.level;
      const obs = prep.orient.toE(prep.agg[i]!.mean);
      const v = prep.hasReplicates ? prep.noiseVar[i]! / prep.agg[i]!.count : sigma * sigma;
      pairs.push({ r: obs - pred, g: (1 - lam) * Math.max(0, a0 - fam), v, h: Math.log2(sizes[i]! / rec.originN) });
    });
  });
  let bestTau = PRIOR_TAU;
  let bestLl = -Infinity;
  const grid: number[] = [];
  const rhos: number[] = [];
  const lls: number[] = [];
  // Horizon term: 0 or log-spaced over the observed range of the curve, under an exponential prior.
  const rhoGrid = [0];
  for (let j = 0; j < HORIZON_GRID; j++) rhoGrid.push(prep.ctx.range * 0.002 * 1.3 ** j);
  for (let t = 0.02; t <= 4; t *= 1.08) {
    // Inverse-gamma-like prior on tau^2 with its mode near PRIOR_TAU^2.
    const prior = -Math.log(t * t) - (PRIOR_TAU * PRIOR_TAU) / (2 * t * t);
    for (const rho of rhoGrid) {
      let ll = prior - rho / (RHO_PRIOR_MEAN * prep.ctx.range);
      for (const q of pairs) {
        const v = q.v + (t * q.g) ** 2 + (rho * q.h) ** 2;
        ll += -0.5 * Math.log(v) - (q.r * q.r) / (2 * v);
      }
      grid.push(t);
      rhos.push(rho);
      lls.push(ll);
      if (ll > bestLl) {
        bestLl = ll;
        bestTau = t;
      }
    }
  }
  const mass = lls.map((l) => Math.exp(l - bestLl));
  const tot = mass.reduce((a, b) => a + b, 0);
  return { tau: bestTau, pairs: pairs.length, grid, rho: rhos, mass: mass.map((m) => m / tot) };
}

export function fitState(points: readonly CurvePoint[], opts: FitOptions): FitState {
  const prep = prepare(points, opts.metric);
  const bounded = Number.isFinite(prep.ctx.eLo);
  let fams = FAMILIES.filter((f) => bounded || !f.needsBound);
  let withLast1 = true;
  let withPlateau = true;
  if (opts.families && opts.families.length > 0) {
    const want = new Set(opts.families);
    for (const name of want) {
      if (name !== "last1" && name !== "plateau" && !FAMILIES.some((f) => f.name === name)) {
        throw new InputError("CURVE_UNKNOWN_FAMILY", `unknown curve family "${name}"`, { hint: `use one of ${[...FAMILIES.map((f) => f.name), "last1"].join(", ")}` });
      }
    }
    fams = fams.filter((f) => want.has(f.name));
    withLast1 = want.has("last1");
    withPlateau = want.has("plateau");
  }
  const members: Member[] = fams.map((fam) => ({ name: fam.name, fam, fit: fitFamily(fam, prep.data, prep.ctx, { robust: true }), weight: 0, cvError: NaN }));
  const constants = [...(withLast1 ? ["last1"] : []), ...(withPlateau ? ["plateau"] : [])];
  for (const name of constants) members.push({ name, constant: constantLevel(name, prep.data, prep.nMax), weight: 0, cvError: NaN });

  const recs = rollingOrigin(prep, fams, constants);
  // Recent origins count more: the curve's regime (steep, bending, saturated) changes along n, and the forecast
  // is made from the latest origin.
  const decay = CV_DECAY;
  for (const m of members) {
    let s = 0;
    let c = 0;
    recs.forEach((rec, r) => {
      const p = rec.pred.get(m.name);
      if (!p) return;
      const wr = decay ** (recs.length - 1 - r);
      let se = 0;
      rec.laterIdx.forEach((i, k) => {
        se += (p.later[k]! - prep.orient.toE(prep.agg[i]!.mean)) ** 2;
      });
      s += (wr * se) / rec.laterIdx.length;
      c += wr;
    });
    m.cvError = c > 0 ? Math.sqrt(s / c) : NaN;
  }
  if (recs.length > 0) combine(members);
  if (!members.some((m) => m.weight > 0)) {
    // Too few sizes to validate: fall back on the scaling-law workhorse (or whatever single family was asked for).
    const fallback = members.find((m) => m.name === "pow3") ?? members.find((m) => m.fam) ?? members[0]!;
    fallback.weight = 1;
  }
  const sigmaObs = noiseSd(prep, members);
  const last = prep.agg.length - 1;
  const levelVar = prep.hasReplicates ? prep.noiseVar[last]! / prep.agg[last]!.count : sigmaObs * sigmaObs;
  const lam = withLast1 ? stackLevel(prep, recs, members, levelVar) : 0;
  const slope = recentSlopeShare(prep, members);
  const kappa = slope.share;
  const level = meanAt(prep.data, prep.nMax);
  // How well the level the gain starts from is known: the best-measured of the last two sizes (a planner often runs one
  // seed at the largest, most expensive size and several just below it; the curve is smooth in between).
  const prevVar = prep.hasReplicates && last > 0 ? prep.noiseVar[last - 1]! / prep.agg[last - 1]!.count : levelVar;
  const gainNoiseVar = GAIN_NOISE_Z2 * Math.min(levelVar, prevVar);
  const post: TauPosterior = recs.length > 0 ? estimateTau(prep, recs, members, sigmaObs, lam, kappa, gainNoiseVar) : { tau: PRIOR_TAU * 2, pairs: 0, grid: [PRIOR_TAU * 2], rho: [0], mass: [1] };
  const { tau, pairs } = post;
  const samples = bootstrap(prep, members, sigmaObs, post, opts.bootstrap ?? 200, opts.seed ?? 1, lam, slope, gainNoiseVar);
  return { prep, members, samples, tau, sigmaObs, cvPairs: pairs, lam, kappa, level, lackOfFit: lackOfFit(prep, members), gainNoiseVar };
}

/**
 * Bootstrap draws of each weighted family. With 5+ seeds that each cover 3+ sizes, whole seeds are resampled
 * (their points are correlated through nested subsets); otherwise a parametric bootstrap adds noise of the
 * estimated size to each family's fitted values. Each draw also gets a log-normal gain factor exp(tau*z).
 */
function bootstrap(prep: Prepared, members: Member[], sigma: number, tauPost: TauPosterior, B: number, seed: number, lam: number, slope: SlopeShare, gv: number): Sample[] {
  const kappa = slope.share;
  const u = rng(seed);
  const z = normal(u);
  const active = members.filter((m) => m.weight > 0);
  const samples: Sample[] = [];
  const d = prep.data;
  const N = d.n.length;
  const seeds = new Map<string, number[]>();
  d.n.forEach((_, i) => {
    const key = String(prep.points[i]!.seed ?? "");
    const arr = seeds.get(key);
    if (arr) arr.push(i);
    else seeds.set(key, [i]);
  });
  const seedGroups = [...seeds.values()];
  const bySeed = seedGroups.length >= 5 && seedGroups.every((g) => g.length >= 3) && !seeds.has("");
  const sdAt = (i: number): number => (prep.hasReplicates ? Math.sqrt(prep.noiseVar[prep.agg.findIndex((a) => a.n === d.n[i])]!) : sigma);
  const sds = Array.from(d.n, (_, i) => sdAt(i));
  const reps = Math.max(0, Math.floor(B));
  if (reps === 0) {
    const level = meanAt(d, prep.nMax);
    for (const m of active) samples.push(sampleOf(m, m.fit?.p, m.constant, kappa, m.weight, prep.nMax, lam, level, 0, gv));
    return samples;
  }
  for (let b = 0; b < reps; b++) {
    let data: FitData;
    const noise = Float64Array.from({ length: N }, (_, i) => z() * sds[i]!);
    if (bySeed) {
      const idx: number[] = [];
      for (let k = 0; k < seedGroups.length; k++) idx.push(...seedGroups[Math.floor(u() * seedGroups.length)]!);
      data = { n: Float64Array.from(idx.map((i) => d.n[i]!)), e: Float64Array.from(idx.map((i) => d.e[i]!)), w: Float64Array.from(idx.map((i) => d.w[i]!)) };
    } else data = d;
    // Draw tau from its posterior, then the gain factor: a scale mixture, heavier-tailed than one fixed tau.
    let r = u();
    let ti = 0;
    while (ti < tauPost.grid.length - 1 && r > tauPost.mass[ti]!) r -= tauPost.mass[ti++]!;
    const k = Math.exp(tauPost.grid[ti]! * z());
    const kappaB = slope.sd > 0 ? Math.min(1, Math.max(0, slope.centre + slope.sd * z())) : kappa;
    const rho = tauPost.rho[ti]!;
    // The last observed level as this draw sees it (resampled seeds, or the noise-perturbed points).
    const dn = bySeed ? data : { n: d.n, e: Float64Array.from(d.e, (v, i) => v + noise[i]!), w: d.w };
    const level = meanAt(dn, prep.nMax);
    for (const m of active) {
      if (!m.fam) {
        // Constant members: the same level read off the resampled (or noise-perturbed) points.
        samples.push(sampleOf(m, undefined, constantLevel(m.name, dn, prep.nMax), 1, m.weight / reps, prep.nMax, lam, level, rho, gv));
        continue;
      }
      const fit = m.fit!;
      let dm = data;
      if (!bySeed) {
        const e = Float64Array.from(d.n, (n, i) => evalFamily(fit.family, fit.p, fit.ctx, n) + noise[i]!);
        dm = { n: d.n, e, w: d.w };
      }
      const r = fitFamily(fit.family, dm, fit.ctx, { warm: fit.p, maxIter: 15, tol: 1e-6, robust: bySeed });
      samples.push(sampleOf(m, r.p, undefined, k * kappaB, m.weight / reps, prep.nMax, lam, level, rho, gv));
    }
  }
  return samples;
}

function sampleOf(m: Member, p: Float64Array | undefined, constant: number | undefined, k: number, w: number, nMax: number, lam: number, level: number, rho: number, gv: number): Sample {
  const ctx = m.fit?.ctx ?? ({ s: nMax, eLo: -Infinity, eHi: Infinity, range: 1 } as FamilyContext);
  const e0 = m.fam ? evalFamily(m.fam, p!, ctx, nMax) : constant!;
  return { fam: m.fam, p, ctx, constant, w, k, e0, lam, level, rho, gv };
}

/** Pulls a draw's forecast beyond nMax toward its last observed level by the stacking weight. */
function stacked(s: Sample, v: number): number {
  return s.lam > 0 ? (1 - s.lam) * v + s.lam * s.level : v;
}

/** Error-space value of one draw at n: as fitted up to nMax; beyond nMax its gain is shrunk by its signal-to-noise
 * ratio (keptGain), scaled by k and the result stacked with the last observed level. The calibration blends the
 * family's value beyond nMax with the corpus' curvature prior first (see calibration.ts). */
export function sampleValue(s: Sample, n: number, nMax: number, cal: Calibration = NO_CALIBRATION, nMin = nMax / 2): number {
  if (!s.fam) return n <= nMax ? s.constant! : stacked(s, s.constant!);
  const v = evalFamily(s.fam, s.p!, s.ctx, n);
  if (n <= nMax) return v;
  const e = (x: number): number => evalFamily(s.fam!, s.p!, s.ctx, x);
  return beyondLargest(v, e, n, nMin, nMax, cal, s.ctx.eLo, (u) => stacked(s, Math.max(s.e0 + s.k * keptGain(u - s.e0, s.gv), s.ctx.eLo)));
}

export function sampleLimit(s: Sample, nMax: number, cal: Calibration = NO_CALIBRATION, nMin = nMax / 2): number {
  if (!s.fam) return stacked(s, s.constant!);
  const lim = Math.max(s.fam.limit(s.p!, s.ctx), s.ctx.eLo);
  const e = (x: number): number => evalFamily(s.fam!, s.p!, s.ctx, x);
  return beyondLargest(lim, e, Infinity, nMin, nMax, cal, s.ctx.eLo, (u) => {
    const out = s.e0 + s.k * keptGain(u - s.e0, s.gv);
    return stacked(s, Number.isNaN(out) ? s.ctx.eLo : Math.max(out, s.ctx.eLo));
  });
}
