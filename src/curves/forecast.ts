/**
 * The CurveFit object: forecasts read off the bootstrap/mixture draws. Every interval is a weighted quantile over
 * the same set of draws, so scoreAt, samplesFor, gains and the asymptote are mutually consistent.
 */
import { diagnose } from "./diagnostics.js";
import { fitState, keptGain, memberValue, sampleLimit, sampleValue, type FitState, type Member, type Sample } from "./fit.js";
import { beyondLargest, blendWeight, CALIBRATION, calibratedInterval, tailValue, thinEvidenceFactor, type Calibration } from "./calibration.js";
import { normCdf } from "./random.js";
import { normalQuantile } from "../stats.js";
import type { CurveFit, CurvePoint, FitOptions, Interval, IntervalOptions, SamplesForResult } from "./types.js";

const N_MIN = 1;
/**
 * An unpredictable curve (flat at chance, or a late jump) beyond nMax: the draws are a mixture, with this
 * probability the curve stays where the fitted draws put it, otherwise it moves anywhere between its last level and
 * the metric's best value (uniform over that headroom). On the even-numbered LCDB curves about 60% of the later
 * anchors of such curves stayed at their last level; the rest jumped by up to most of the headroom.
 */
const UNPREDICTABLE_STAY = 0.6;
const HEADROOM_GRID = 40;
const N_LIMIT = 1e15;
/** How far beyond nMax (in doublings) the tail may place a target the families call out of reach: the truth bench grades answers up to 16x beyond the sizes fitted; one doubling more. */
const TAIL_REACH_DOUBLINGS = 5;

/** Weighted quantile of values (Infinity allowed). */
export function weightedQuantile(vals: readonly number[], ws: readonly number[], q: number): number {
  const idx = vals.map((_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
  const total = ws.reduce((s, w) => s + w, 0);
  let acc = 0;
  for (const i of idx) {
    acc += ws[i]!;
    if (acc >= q * total - 1e-12) return vals[i]!;
  }
  return vals[idx[idx.length - 1]!]!;
}

function checkConfidence(c: number | undefined): number {
  const v = c ?? 0.8;
  if (!(v > 0 && v < 1)) throw new RangeError(`confidence must be in (0, 1), got ${v}`);
  return v;
}

/** n where a non-increasing error function first reaches `target` (bisection in log n), or Infinity. */
function crossing(f: (n: number) => number, target: number, limit: number): number {
  if (f(N_MIN) <= target) return N_MIN;
  if (limit > target) return Infinity;
  let lo = Math.log(N_MIN);
  let hi = Math.log(N_LIMIT);
  if (f(N_LIMIT) > target) return Infinity;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(Math.exp(mid)) <= target) hi = mid;
    else lo = mid;
  }
  return Math.exp(hi);
}

export class FittedCurve implements CurveFit {
  readonly metric;
  readonly points: CurvePoint[];
  readonly family: string;
  readonly families;
  readonly diagnostics;
  readonly confidence;
  readonly nMax: number;
  /** Smallest observed n (where the calibration's longest slope span starts at most). */
  private readonly nMin: number;
  /** The calibration for score forecasts: the same without the blend, which acts on samples-for-target only. */
  private readonly scoreCal: Calibration;
  /** Extrapolation spread used (sd of the log gain factor), and the noise sd of one run at nMax. */
  readonly tau: number;
  readonly noise: number;
  private readonly st: FitState;
  private readonly active: Member[];
  private readonly unpredictable: boolean;
  private readonly robustLevel: number;
  /** How answers beyond nMax are calibrated (calibration.ts); NO_CALIBRATION gives the answers before issue 17. */
  readonly calibration: Calibration;
  /** Signs of thin evidence (fewer than 6 sizes: 1, fewer than 4: 2; one family carrying the fit: 1), which widen intervals beyond nMax. */
  readonly doubts: number;
  /** A short curve (under 6 sizes) that is flat, or whose recent gain would take over 20 doublings to reach the metric's best: a plateau reading it cannot yet tell from a pause (see Calibration.flatResume). */
  private readonly flat: boolean;

  constructor(st: FitState, calibration: Calibration = CALIBRATION) {
    this.st = st;
    this.calibration = calibration;
    const { prep } = st;
    this.metric = prep.metric;
    this.points = prep.points;
    this.nMax = prep.nMax;
    this.nMin = prep.agg[0]!.n;
    this.scoreCal = { ...calibration, blend: 0 };
    this.tau = st.tau;
    this.noise = st.sigmaObs;
    this.active = st.members.filter((m) => m.weight > 0);
    const top = [...this.active].sort((a, b) => b.weight - a.weight)[0]!;
    this.family = top.weight >= 0.9 ? top.name : "ensemble";
    this.families = st.members.map((m) => ({ name: m.name, weight: round(m.weight, 4), params: paramsOf(m), cvError: m.cvError }));
    const d = diagnose(st);
    this.diagnostics = d.diagnostics;
    this.confidence = d.confidence;
    this.unpredictable = d.unpredictable;
    const m = prep.agg.length;
    this.doubts = (m < 4 ? 2 : m < 6 ? 1 : 0) + (this.family !== "ensemble" ? 1 : 0);
    this.flat = m < 6 && (d.diagnostics.some((x) => x.code === "flat") || slowAgainstHeadroom(prep.agg.map((a) => prep.orient.toE(a.mean)), prep.agg.map((a) => a.n), prep.ctx.eLo));
    // The last observed level (as last1): after a late jump or a stray run off chance, the median of the last
    // sizes lagged behind on the LCDB curves more often than the last level misled.
    this.robustLevel = st.level;
  }

  /**
   * Point forecast in error space: the weighted mean of the families' full-data fits; beyond nMax on a curve
   * that gives no basis for extrapolation, the last observed level. Beyond nMax the families' gain is shrunk by its
   * signal-to-noise ratio (keptGain), scaled by the recent-slope share kappa and stacked with the last observed level
   * (weight lambda).
   */
  private meanE(n: number, cal: Calibration = this.scoreCal): number {
    if (this.unpredictable && n > this.nMax) return this.robustLevel;
    if (n <= this.nMax) return this.fittedE(n);
    return beyondLargest(this.fittedE(n), (x) => this.fittedE(x), n, this.nMin, this.nMax, cal, this.st.prep.ctx.eLo, (v) => this.shrunk(v));
  }

  /** A families' value beyond nMax after the gain shrinkage (signal-to-noise, recent-slope share) and the stacking with the last level. */
  private shrunk(v: number): number {
    const e0 = this.fittedE(this.nMax);
    return (1 - this.st.lam) * (e0 + this.st.kappa * keptGain(v - e0, this.st.gainNoiseVar)) + this.st.lam * this.st.level;
  }

  private fittedE(n: number): number {
    let s = 0;
    for (const m of this.active) s += m.weight * memberValue(m, n);
    return s;
  }

  private meanLimitE(cal: Calibration = this.scoreCal): number {
    if (this.unpredictable) return this.robustLevel;
    let s = 0;
    for (const m of this.active) {
      const lim = m.fam ? Math.max(m.fam.limit(m.fit!.p, m.fit!.ctx), m.fit!.ctx.eLo) : m.constant!;
      s += m.weight * lim;
    }
    return beyondLargest(s, (x) => this.fittedE(x), Infinity, this.nMin, this.nMax, cal, this.st.prep.ctx.eLo, (v) => this.shrunk(v));
  }

  private get samples(): Sample[] {
    return this.st.samples;
  }

  private toY(e: number): number {
    return this.st.prep.orient.toY(e);
  }

  /** An error-space interval (mean, quantiles) turned into a metric-space Interval. */
  private interval(meanE: number, loQ: number, hiQ: number): Interval {
    const a = this.toY(loQ);
    const b = this.toY(hiQ);
    const mean = this.toY(meanE);
    const lo = Math.min(a, b, mean);
    const hi = Math.max(a, b, mean);
    return { mean, lo, hi };
  }

  /** The metric's best and worst reachable values in error space (for widening unpredictable forecasts). */
  private bestE(): number {
    return this.st.prep.ctx.eLo;
  }

  scoreAt(n: number, opts: IntervalOptions = {}): Interval {
    const c = checkConfidence(opts.confidence);
    if (!(n > 0)) throw new RangeError(`n must be positive, got ${n}`);
    const vals = this.samples.map((s) => sampleValue(s, n, this.nMax, this.scoreCal, this.nMin));
    let ws = this.samples.map((s) => s.w);
    const meanE = this.meanE(n);
    const best = this.bestE();
    const headroom = this.unpredictable && n > this.nMax && Number.isFinite(best) && best < this.robustLevel;
    // A flat curve may rise again (Calibration.flatResume): a share of the headroom that grows with the horizon.
    const resume = !headroom && this.flat && this.calibration.flatResume > 0 && n > this.nMax && Number.isFinite(best) && best < this.robustLevel;
    if (headroom || resume) {
      const stay = headroom ? UNPREDICTABLE_STAY : 1 - this.calibration.flatResume;
      const reach = headroom ? 1 : 1 - Math.pow(2, -Math.log2(n / this.nMax) / 2);
      const total = ws.reduce((a, b) => a + b, 0);
      ws = ws.map((w) => (w / total) * stay);
      for (let j = 0; j < HEADROOM_GRID; j++) {
        vals.push(this.robustLevel + ((j + 0.5) / HEADROOM_GRID) * reach * (best - this.robustLevel));
        ws.push((1 - stay) / HEADROOM_GRID);
      }
    }
    // Each draw is widened by its horizon spread (rho per doubling beyond nMax), the lack of fit to the seed means
    // and, for a new run, the noise.
    const h = n > this.nMax ? Math.log2(n / this.nMax) : 0;
    const obsVar = (opts.kind === "observation" ? this.noise * this.noise : 0) + this.st.lackOfFit ** 2;
    const sds = vals.map((_, i) => Math.sqrt(obsVar + (i < this.samples.length ? (this.samples[i]!.rho * h) ** 2 : 0)));
    let [lo, hi] = [mixtureQuantile(vals, ws, sds, (1 - c) / 2), mixtureQuantile(vals, ws, sds, (1 + c) / 2)];
    if (n > this.nMax && this.doubts > 0) {
      // Thin evidence: the interval beyond nMax grows around the forecast (Calibration.thinEvidence).
      const widen = thinEvidenceFactor(this.calibration, this.doubts);
      lo = meanE + widen * (lo - meanE);
      hi = meanE + widen * (hi - meanE);
    }
    const loW = this.unpredictable && n > this.nMax && !headroom && Number.isFinite(best) ? Math.min(lo, best) : lo;
    // The horizon and noise spreads are normal: keep their tails inside the metric's range.
    return this.interval(meanE, this.inRange(loW), this.inRange(hi));
  }

  /** An error-space value clipped to the metric's range (noise-perturbed draws can step past a bound). */
  private inRange(e: number): number {
    const { lower, upper } = this.metric;
    const bounds = [lower, upper].filter((v): v is number => v !== undefined).map((v) => this.st.prep.orient.toE(v));
    if (bounds.length === 0) return e;
    return Math.min(Math.max(e, Math.min(...bounds)), Math.max(...bounds));
  }

  /** The n reaching `target` in each draw (Infinity when it never does), with the draws' weights. */
  crossingDraws(target: number, cal: Calibration = this.calibration): { n: number[]; w: number[]; mean: number } {
    const tE = this.st.prep.orient.toE(target);
    const n = this.samples.map((s) => crossing((x) => sampleValue(s, x, this.nMax, cal, this.nMin), tE, sampleLimit(s, this.nMax, cal, this.nMin)));
    const mean = crossing((x) => this.meanE(x, cal), tE, this.meanLimitE(cal));
    return { n, w: this.samples.map((s) => s.w), mean };
  }

  /**
   * The families answer first (their asymptotes carry what the LCDB tuning learnt about curves that level off). Where
   * they reach the target, or the calibration lets the tail overrule their "out of reach" (latestGainReaches), the
   * answer is the calibrated one: the corpus' tail, weighted by how much the families' own answer is in doubt.
   */
  samplesFor(target: number, opts: { confidence?: number } = {}): SamplesForResult {
    const c = checkConfidence(opts.confidence);
    if (this.calibration.blend > 0) {
      const families = this.answer(target, c, { ...this.calibration, blend: 0, spreadScale: 1, horizonSd: 0 });
      // Out of reach by the families, or beyond their own point forecast's reach: their verdict stands, unless the
      // calibration lets the tail overrule it where the latest doubling still gains toward the target.
      if ((families.reachable === false || !Number.isFinite(families.mean)) && (this.calibration.familiesVerdict === "always" || !this.latestGainReaches(target))) return families;
      return this.answer(target, c, { ...this.calibration, blend: blendWeight(this.calibration, families.lo, families.hi) });
    }
    return this.answer(target, c, this.calibration);
  }

  /**
   * Whether the tail may overrule the families' "out of reach" (Calibration.familiesVerdict "where-flat"): the fitted
   * gain of the last measured doubling, continued with the calibration's curvature, reaches `target` at all, and the
   * tail itself reaches it within TAIL_REACH_DOUBLINGS beyond nMax (beyond the horizons the truth bench grades, the
   * families' plateau reading is the better-tested one).
   */
  private latestGainReaches(target: number): boolean {
    const tE = this.st.prep.orient.toE(target);
    const e = (x: number): number => this.fittedE(x);
    const eLo = this.st.prep.ctx.eLo;
    const latest = tailValue(e, Infinity, this.nMin, this.nMax, { ...this.calibration, slopeSpan: 1 }, eLo);
    return tE >= latest && tE >= tailValue(e, this.nMax * 2 ** TAIL_REACH_DOUBLINGS, this.nMin, this.nMax, this.calibration, eLo);
  }

  private answer(target: number, c: number, cal: Calibration): SamplesForResult {
    const tE = this.st.prep.orient.toE(target);
    const { n: ns, w: ws } = this.crossingDraws(target, cal);
    const total = ws.reduce((a, b) => a + b, 0);
    const pReach = ns.reduce((acc, v, i) => acc + (Number.isFinite(v) ? ws[i]! : 0), 0) / total;
    const mean = crossing((n) => this.meanE(n, cal), tE, this.meanLimitE(cal));
    let lo = weightedQuantile(ns, ws, (1 - c) / 2);
    let hi = weightedQuantile(ns, ws, (1 + c) / 2);
    let reachable: boolean | "uncertain" = Number.isFinite(hi) ? true : pReach < (1 - c) / 2 ? false : "uncertain";
    if (this.unpredictable && tE < this.meanE(this.nMax)) {
      // A curve that has not started learning (or just jumped) says nothing about where it goes next.
      hi = Infinity;
      lo = Math.min(lo, this.nMax);
      reachable = "uncertain";
    }
    const point = Math.max(Math.min(mean, hi), lo);
    const ci = calibratedInterval(point, lo, hi, this.nMax, cal, c, this.doubts, this.noiseReach(target, point, c, cal));
    return { mean: point, lo: ci.lo, hi: ci.hi, reachable, confidence: round(this.unpredictable ? Math.min(pReach, 0.5) : pReach, 4) };
  }

  /**
   * The run noise's reach on the crossing of `target` answered at `point`: how far (in log n, below and above) the
   * point forecast's crossing moves when the target moves by z noise sds either way (z for `confidence`). The noise
   * is that of a size's mean score as this curve measures it (one run's noise at nMax over the root of the runs
   * there, with the lack of fit to the seed means): the answer is where a curve measured as this one was first
   * reaches the target. A side the forecast never reaches is Infinity.
   */
  noiseReach(target: number, point: number, confidence: number, cal: Calibration = this.calibration): { lo: number; hi: number } {
    if (!(point > 0) || !Number.isFinite(point)) return { lo: 0, hi: 0 };
    const runs = this.st.prep.agg[this.st.prep.agg.length - 1]!.count;
    const sd = Math.hypot(this.noise / Math.sqrt(runs), this.st.lackOfFit);
    if (!(sd > 0)) return { lo: 0, hi: 0 };
    const tE = this.st.prep.orient.toE(target);
    const d = normalQuantile((1 + confidence) / 2) * sd;
    const at = (t: number): number => crossing((n) => this.meanE(n, cal), t, this.meanLimitE(cal));
    const L = Math.log(point);
    return { lo: Math.max(0, L - Math.log(at(tE + d))), hi: Math.max(0, Math.log(at(tE - d)) - L) };
  }

  /** The same fit read with another calibration (no refit: the calibration acts only when the draws are read). */
  recalibrated(calibration: Calibration): FittedCurve {
    return new FittedCurve(this.st, calibration);
  }

  marginalGain(n: number, k: number, opts: { confidence?: number } = {}): Interval {
    return this.gain(n, n + k, opts.confidence);
  }

  gainPerDoubling(n: number, opts: { confidence?: number } = {}): Interval {
    return this.gain(n, 2 * n, opts.confidence);
  }

  /** Improvement (in the metric's better direction, so positive = better) from n1 to n2. */
  private gain(n1: number, n2: number, conf?: number): Interval {
    const c = checkConfidence(conf);
    const vals = this.samples.map((s) => sampleValue(s, n1, this.nMax, this.scoreCal, this.nMin) - sampleValue(s, n2, this.nMax, this.scoreCal, this.nMin));
    const ws = this.samples.map((s) => s.w);
    const abs = Math.abs(this.st.prep.orient.sign);
    const mean = (this.meanE(n1) - this.meanE(n2)) * abs;
    const lo = weightedQuantile(vals, ws, (1 - c) / 2) * abs;
    const hi = weightedQuantile(vals, ws, (1 + c) / 2) * abs;
    return { mean, lo: Math.min(lo, mean), hi: Math.max(hi, mean) };
  }

  /** One family's own full-data forecast at n (no interval); undefined for an unknown or excluded family. */
  familyScoreAt(name: string, n: number): number | undefined {
    const m = this.st.members.find((mm) => mm.name === name);
    return m ? this.toY(memberValue(m, n)) : undefined;
  }

  asymptote(opts: { confidence?: number } = {}): Interval {
    const c = checkConfidence(opts.confidence);
    const vals = this.samples.map((s) => sampleLimit(s, this.nMax, this.scoreCal, this.nMin));
    const ws = this.samples.map((s) => s.w);
    let lo = weightedQuantile(vals, ws, (1 - c) / 2);
    if (this.unpredictable) lo = Math.min(lo, this.bestE());
    return this.interval(this.meanLimitE(), this.inRange(lo), this.inRange(weightedQuantile(vals, ws, (1 + c) / 2)));
  }

  saturation(epsilon: number, opts: { confidence?: number } = {}): Interval & { reachable: boolean } {
    const c = checkConfidence(opts.confidence);
    if (!(epsilon > 0)) throw new RangeError(`epsilon must be positive, got ${epsilon}`);
    const sat = (f: (n: number) => number): number => {
      // Scan down from a huge n for the last size whose doubling still gains >= epsilon.
      const grid: number[] = [];
      for (let l = Math.log(N_MIN); l <= Math.log(N_LIMIT); l += 0.25) grid.push(Math.exp(l));
      if (f(grid[grid.length - 1]!) - f(2 * grid[grid.length - 1]!) >= epsilon) return Infinity;
      for (let i = grid.length - 2; i >= 0; i--) {
        if (f(grid[i]!) - f(2 * grid[i]!) >= epsilon) {
          let lo = Math.log(grid[i]!);
          let hi = Math.log(grid[i + 1]!);
          for (let t = 0; t < 40; t++) {
            const mid = (lo + hi) / 2;
            if (f(Math.exp(mid)) - f(2 * Math.exp(mid)) >= epsilon) lo = mid;
            else hi = mid;
          }
          return Math.exp(hi);
        }
      }
      return N_MIN;
    };
    const ns = this.samples.map((s) => sat((n) => sampleValue(s, n, this.nMax, this.scoreCal, this.nMin)));
    const ws = this.samples.map((s) => s.w);
    const mean = sat((n) => this.meanE(n));
    const lo = weightedQuantile(ns, ws, (1 - c) / 2);
    const hi = weightedQuantile(ns, ws, (1 + c) / 2);
    return { mean, lo: Math.min(lo, mean), hi: Math.max(hi, mean), reachable: Number.isFinite(mean) };
  }

  toJSON(): object {
    return {
      metric: this.metric,
      family: this.family,
      families: this.families,
      confidence: this.confidence,
      diagnostics: this.diagnostics,
      nMax: this.nMax,
      noise: this.noise,
      extrapolationSpread: this.tau,
      asymptote: this.asymptote(),
      points: this.points.length,
      sizes: this.st.prep.agg.length,
    };
  }
}

/** Quantile of a weighted mixture of normals centred on vals with sds (0: a point mass), by bisection on its CDF. */
function mixtureQuantile(vals: readonly number[], ws: readonly number[], sds: readonly number[], q: number): number {
  const sdMax = Math.max(0, ...sds.filter(Number.isFinite));
  if (!(sdMax > 0)) return weightedQuantile(vals, ws, q);
  const total = ws.reduce((a, b) => a + b, 0);
  const fin = vals.filter(Number.isFinite);
  let lo = Math.min(...fin) - 10 * sdMax;
  let hi = Math.max(...fin) + 10 * sdMax;
  const cdf = (y: number): number => {
    let s = 0;
    for (let i = 0; i < vals.length; i++) {
      const sd = sds[i]!;
      s += ws[i]! * (sd > 0 ? normCdf((y - vals[i]!) / sd) : y >= vals[i]! ? 1 : 0);
    }
    return s / total;
  };
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Recent gain per doubling (least squares over the last 2 doublings, at least 3 sizes) below 1/20 of the headroom left. */
function slowAgainstHeadroom(e: number[], n: number[], eLo: number): boolean {
  if (!Number.isFinite(eLo) || e.length < 3) return false;
  const lx = n.map((v) => Math.log2(v));
  const last = lx[lx.length - 1]!;
  let idx = lx.map((_, i) => i).filter((i) => lx[i]! >= last - 2 - 1e-9);
  if (idx.length < 3) idx = [e.length - 3, e.length - 2, e.length - 1];
  const mx = idx.reduce((a, i) => a + lx[i]!, 0) / idx.length;
  const my = idx.reduce((a, i) => a + e[i]!, 0) / idx.length;
  let sxy = 0;
  let sxx = 0;
  for (const i of idx) {
    sxy += (lx[i]! - mx) * (e[i]! - my);
    sxx += (lx[i]! - mx) ** 2;
  }
  const gain = sxx > 0 ? -sxy / sxx : 0;
  return gain < (e[e.length - 1]! - eLo) / 20;
}

function round(v: number, d: number): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

function paramsOf(m: Member): Record<string, number> {
  if (!m.fam) return { value: m.constant! };
  const out: Record<string, number> = {};
  m.fam.paramNames.forEach((k, i) => (out[k] = m.fit!.p[i]!));
  if (m.name === "mmf4") {
    // Report the textbook parametrisation: a = c + g is the error at n = 0.
    out.a = out.c! + out.g!;
    delete out.g;
  }
  out.nScale = m.fit!.ctx.s;
  return out;
}

export function fitCurve(points: CurvePoint[], opts: FitOptions): FittedCurve {
  return new FittedCurve(fitState(points, opts), opts.calibration ?? CALIBRATION);
}
