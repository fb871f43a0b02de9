/**
 * Effective data multiplier of a strategy from paired learning curves (the baseline and the strategy trained on the
 * same nested subsets and seeds): at each measured size n, m(n) = n_base(score_strategy(n)) / n; at the target,
 * n_base(target) / n_strategy(target); at the pool size; with 80% intervals and a verdict in words.
 *
 * Interval: a paired wild bootstrap over seeds. Each replicate draws one normal weight per seed, shared by the
 * baseline and the strategy (and by all sizes of that seed), perturbs every point by its seed's weight times its
 * deviation from the seed mean at its size (rescaled to the fit's shrunk noise sd there), refits both curves and reads
 * the multiplier. A seed whose subset was
 * lucky lifts both curves in the same replicate, so shared subset noise cancels in the multiplier instead of turning
 * into a large ratio; resampling seed indices instead gives only 10 distinct replicates with 3 seeds. The deviations
 * are scaled by sqrt(K/(K-1)) so each size's mean varies by its estimated standard error, and the interval's tail
 * levels are widened from the normal to Student's t with K-1 degrees of freedom (K paired seeds): a variance read
 * from three seeds is itself uncertain, and plain percentiles would cover about 2/3 instead of 80%.
 *
 * Readings outside the baseline's data are bounds, not numbers: a strategy score better than anything the baseline
 * reached (at its largest size) gives m >= n_base_max / n; a score worse than the baseline's curve a short way below
 * its smallest size gives m <= that size / n. Only when the baseline and the strategy both reach the target beyond
 * their largest sizes is the target multiplier read off the extrapolated curves (and flagged so).
 */
import { InputError } from "../errors.js";
import { tQuantile } from "../stats.js";
import { fitState, type FitState } from "./fit.js";
import { weightedQuantile } from "./forecast.js";
import { metricInfo } from "./metric.js";
import { curveDraw, sizeAt, type CurveDraw, type SizeReading } from "./multiplier-draw.js";
import { normal, normCdf, rng } from "./random.js";
import type { CurvePoint, MetricInfo } from "./types.js";

export type MultiplierVerdict = "helps" | "no clear effect" | "hurts";

/**
 * "estimate": read within the data (or a short way below the baseline's smallest size, see `extrapolated`);
 * "lower-bound": the strategy's score is better than the baseline's at its largest size, value = that size / n;
 * "beyond-reach": a lower bound where the score is also better than the baseline's fitted asymptote;
 * "upper-bound": the score is worse than the baseline's curve a short way below its smallest size;
 * "extrapolated": target multiplier read off both curves beyond their largest sizes.
 */
export type MultiplierKind = "estimate" | "lower-bound" | "beyond-reach" | "upper-bound" | "extrapolated";

export interface MultiplierReading {
  /** Strategy training-set size of the reading (for the target: the strategy's point estimate of n_strategy). */
  n: number;
  /** Point estimate from the full-data fits; for a bound, the bound itself. */
  value: number;
  /** Interval at the result's confidence; hi is Infinity when its upper end lies beyond the baseline's data. */
  lo: number;
  hi: number;
  kind: MultiplierKind;
  /** Read below the baseline's smallest size or beyond a curve's largest size. */
  extrapolated: boolean;
  /** Share of bootstrap replicates in which the strategy is surely better (m > 1) / worse (m < 1). */
  pHelps: number;
  pHurts: number;
  verdict: MultiplierVerdict;
  /** "x1.6, 80% 1.3-2.0"; ">= x2.0, beyond the baseline's largest measured size; 80% 1.5-inf"; ... */
  text: string;
}

export interface TargetMultiplierReading extends MultiplierReading {
  target: number;
  /** Point estimates of the sizes each curve needs for the target (bounds when censored, as for the multiplier). */
  baselineN: number;
  strategyN: number;
}

export interface PairedMultiplierInput {
  /** Baseline runs: {n, seed, score}; seeds are paired with the strategy's by their value. */
  baseline: readonly CurvePoint[];
  strategy: readonly CurvePoint[];
  metric: MetricInfo | string;
  target?: number;
  /** The pool size (all the training data the user has). */
  pool?: number;
}

export interface PairedMultiplierOptions {
  /** Central probability of the intervals (default 0.8). */
  confidence?: number;
  /** Paired bootstrap replicates (default 200; each refits both curves' weighted families). */
  replicates?: number;
  /** Seed of the bootstrap weights (default 1). */
  seed?: number;
  /** Restrict the curve families (as FitOptions.families; default all). */
  families?: string[];
}

export interface PairedMultiplierResult {
  metric: MetricInfo;
  confidence: number;
  /** One reading per distinct strategy size, ascending. */
  perSize: MultiplierReading[];
  atTarget?: TargetMultiplierReading;
  atPool?: MultiplierReading;
  /** Which reading the verdict speaks for: the target, else the pool, else the largest measured size. */
  headline: "target" | "pool" | "largest size";
  verdict: MultiplierVerdict;
  /** "helps (x1.6, 80% 1.3-2.0)" */
  summary: string;
  /** The first measured size from which every larger size's interval holds 1, after a smaller size showed an effect. */
  fadesAt?: number;
  /** Seeds present in both curves; fewer than 2 means the interval is not paired (independent noise per point). */
  pairedSeeds: number;
  replicates: number;
}

/** A multiplier in one replicate: the true value lies in [lo, hi]; strict ends are exclusive (a bound was hit). */
interface Bracket {
  lo: number;
  hi: number;
  strictLo: boolean;
  strictHi: boolean;
}

export function pairedMultiplier(input: PairedMultiplierInput, opts: PairedMultiplierOptions = {}): PairedMultiplierResult {
  const c = opts.confidence ?? 0.8;
  if (!(c > 0 && c < 1)) throw new RangeError(`confidence must be in (0, 1), got ${c}`);
  const B = Math.floor(opts.replicates ?? 200);
  if (!(B >= 1)) throw new RangeError(`replicates must be at least 1, got ${opts.replicates}`);
  const metric = typeof input.metric === "string" ? metricInfo(input.metric) : input.metric;
  if (input.pool !== undefined && !(input.pool > 0)) throw new InputError("MULTIPLIER_BAD_POOL", `the pool size must be positive, got ${input.pool}`);
  // The point fits carry no bootstrap of their own: the paired bootstrap below is the interval.
  const fit = { metric, bootstrap: 0, ...(opts.families ? { families: opts.families } : {}) };
  const stB = fitState(input.baseline, fit);
  const stS = fitState(input.strategy, fit);
  const orient = stB.prep.orient;
  const pB = perturbation(stB);
  const pS = perturbation(stS);
  const shared = [...pB.keys].filter((k) => pS.keys.has(k));
  const paired = shared.length >= 2;
  const keys = [...new Set([...pB.keys, ...pS.keys])].sort();
  // Tail level of the interval: Student's t with K-1 degrees of freedom mapped back to a normal probability.
  const tail = paired ? normCdf(tQuantile((1 - c) / 2, shared.length - 1)) : (1 - c) / 2;

  // One family combination for both curves: each fit's own choice swings with its noise (one picks vap3 alone, the
  // other four families), and on simulated pairs that disagreement doubled the spread of the target multiplier while
  // the replicates, which keep the weights, could not see it. A strategy's curve is the baseline's shape at another
  // scale often enough that a shared combination fits both.
  const weights = jointWeights(stB, stS);
  const point = { b: curveDraw(stB, undefined, weights), s: curveDraw(stS, undefined, weights) };
  const own = { b: weightsOf(stB), s: weightsOf(stS) };
  const z = normal(rng(opts.seed ?? 1));
  const reps: { b: CurveDraw; s: CurveDraw }[] = [];
  for (let r = 0; r < B; r++) {
    const g = new Map<string, number>();
    for (const k of keys) g.set(k, z());
    // Unpaired: one independent weight per point (a single seed shared across sizes would shift whole curves).
    const weight = paired ? (k: string) => g.get(k)! : () => z();
    // Model choice is uncertain too: half the replicates read both curves with the baseline fit's own combination,
    // half with the strategy fit's, so a multiplier that rests on which families were chosen gets a wider interval.
    const w = r % 2 === 0 ? own.b : own.s;
    reps.push({ b: curveDraw(stB, pB.draw(weight, z), w), s: curveDraw(stS, pS.draw(weight, z), w) });
  }

  const sizes = [...new Set(stS.prep.agg.map((a) => a.n))];
  const asymB = point.b.e(1e12);
  const atSize = (n: number): MultiplierReading => {
    const read = (b: CurveDraw, s: CurveDraw): Bracket => ratio(sizeAt(b, s.e(n)), exact(n));
    const pt = sizeAt(point.b, point.s.e(n));
    const kind: MultiplierKind = pt.censored === "above" ? (point.s.e(n) < asymB ? "beyond-reach" : "lower-bound") : pt.censored === "below" ? "upper-bound" : "estimate";
    return summarise(n, read(point.b, point.s), reps.map((r) => read(r.b, r.s)), kind, pt.extrapolated || n > stS.prep.nMax, tail, c);
  };
  const perSize = sizes.map(atSize);
  const atPool = input.pool !== undefined ? atSize(input.pool) : undefined;

  let atTarget: TargetMultiplierReading | undefined;
  if (input.target !== undefined) {
    const tE = orient.toE(input.target);
    const nb0 = sizeAt(point.b, tE);
    const ns0 = sizeAt(point.s, tE);
    // Both curves reach the target only beyond their data: no bound says anything, so read the extrapolations.
    const up = nb0.censored === "above" && ns0.censored === "above";
    const read = (b: CurveDraw, s: CurveDraw): Bracket => ratio(sizeAt(b, tE, up), sizeAt(s, tE, up));
    const nb = sizeAt(point.b, tE, up);
    const ns = sizeAt(point.s, tE, up);
    const kind: MultiplierKind = up
      ? nb.n === Infinity ? "beyond-reach" : "extrapolated"
      : nb.censored === "above" ? (tE < asymB ? "beyond-reach" : "lower-bound") : nb.censored === "below" || ns.censored === "above" ? "upper-bound" : ns.censored === "below" ? "lower-bound" : "estimate";
    const r = summarise(ns.n, read(point.b, point.s), reps.map((x) => read(x.b, x.s)), kind, nb.extrapolated || ns.extrapolated, tail, c);
    atTarget = { ...r, target: input.target, baselineN: nb.n, strategyN: ns.n };
  }

  const headline = atTarget ? "target" : atPool ? "pool" : "largest size";
  const main = atTarget ?? atPool ?? perSize[perSize.length - 1]!;
  return {
    metric,
    confidence: c,
    perSize,
    ...(atTarget ? { atTarget } : {}),
    ...(atPool ? { atPool } : {}),
    headline,
    verdict: main.verdict,
    summary: `${main.verdict} (${main.text})`,
    ...fadeOf(perSize),
    pairedSeeds: shared.length,
    replicates: B,
  };
}

function weightsOf(st: FitState): Map<string, number> {
  return new Map(st.members.map((m) => [m.name, m.weight]));
}

/** The mean of the two fits' combination weights, by family name. */
function jointWeights(a: FitState, b: FitState): Map<string, number> {
  const out = new Map<string, number>();
  for (const st of [a, b]) for (const m of st.members) out.set(m.name, (out.get(m.name) ?? 0) + m.weight / 2);
  return out;
}

function exact(n: number): SizeReading {
  return { n, extrapolated: false };
}

/** Bracket of n_b / n_s from two size readings, bounds included. */
function ratio(nb: SizeReading, ns: SizeReading): Bracket {
  const lo = (r: SizeReading) => (r.censored === "below" ? 0 : r.n);
  const hi = (r: SizeReading) => (r.censored === "above" ? Infinity : r.n);
  const div = (a: number, b: number, ifNaN: number) => {
    const v = a / b;
    return Number.isNaN(v) ? ifNaN : v;
  };
  return {
    lo: div(lo(nb), hi(ns), 0),
    hi: div(hi(nb), lo(ns), Infinity),
    // Censored above: the strategy beats the baseline at its largest size, so m is strictly above the bound.
    strictLo: nb.censored === "above" || ns.censored === "below",
    strictHi: nb.censored === "below" || ns.censored === "above",
  };
}

function summarise(n: number, pt: Bracket, reps: Bracket[], kind: MultiplierKind, extrapolated: boolean, tail: number, c: number): MultiplierReading {
  const ones = reps.map(() => 1);
  const value = kind === "upper-bound" ? pt.hi : kind === "estimate" || kind === "extrapolated" ? (pt.lo === pt.hi ? pt.lo : Math.sqrt(pt.lo * pt.hi)) : pt.lo;
  let lo = weightedQuantile(reps.map((r) => r.lo), ones, tail);
  let hi = weightedQuantile(reps.map((r) => r.hi), ones, 1 - tail);
  lo = Math.min(lo, value);
  hi = Math.max(hi, value);
  const pHelps = reps.filter((r) => r.lo > 1 || (r.strictLo && r.lo >= 1)).length / reps.length;
  const pHurts = reps.filter((r) => r.hi < 1 || (r.strictHi && r.hi <= 1)).length / reps.length;
  const verdict: MultiplierVerdict = pHelps >= 1 - tail ? "helps" : pHurts >= 1 - tail ? "hurts" : "no clear effect";
  return { n, value, lo, hi, kind, extrapolated, pHelps, pHurts, verdict, text: describe(value, lo, hi, kind, extrapolated, c) };
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return "inf";
  if (v >= 10) return v.toFixed(0);
  if (v >= 1) return v.toFixed(1);
  return v.toPrecision(2);
}

function describe(value: number, lo: number, hi: number, kind: MultiplierKind, extrapolated: boolean, c: number): string {
  const range = `${Math.round(c * 100)}% ${fmt(lo)}-${fmt(hi)}`;
  switch (kind) {
    case "lower-bound":
      return `>= x${fmt(value)}, beyond the baseline's largest measured size; ${range}`;
    case "beyond-reach":
      return `>= x${fmt(value)}, beyond the baseline's reach: its fitted curve levels off short of this score; ${range}`;
    case "upper-bound":
      return `<= x${fmt(value)}, below the baseline's smallest measured sizes; ${range}`;
    case "extrapolated":
      return `x${fmt(value)}, ${range}, extrapolated beyond both curves' data`;
    default:
      return `x${fmt(value)}, ${range}${extrapolated ? ", extrapolated below the baseline's smallest size" : ""}`;
  }
}

function fadeOf(perSize: MultiplierReading[]): { fadesAt?: number } {
  let i = perSize.length;
  while (i > 0 && perSize[i - 1]!.verdict === "no clear effect") i--;
  if (i === 0 || i === perSize.length) return {};
  return { fadesAt: perSize[i]!.n };
}

/**
 * The perturbation of one curve's points: each point moves by its seed's weight times its deviation from the mean
 * at its size (scaled so the mean varies by its standard error); a size with a single run moves by the fit's noise
 * sd instead (its own deviation is zero). Points without a seed are keyed by their order within their size. Each size
 * also moves as a whole by the fit's lack of fit (seed means further from the fitted curve than their noise explains,
 * a bias no resampling of seeds can see), drawn independently per size and curve, as the fit's own intervals add it.
 */
function perturbation(st: FitState): { keys: Set<string>; draw(weight: (key: string) => number, z: () => number): Float64Array } {
  const { prep } = st;
  const e = prep.data.e;
  const keyOf: string[] = [];
  const bySize = new Map<number, number[]>();
  prep.points.forEach((p, i) => {
    const idx = bySize.get(p.n) ?? [];
    keyOf.push(p.seed !== undefined ? `s:${p.seed}` : `#${idx.length}`);
    idx.push(i);
    bySize.set(p.n, idx);
  });
  const centre = new Float64Array(e.length);
  const scale = new Float64Array(e.length);
  const dev = new Float64Array(e.length);
  for (const [n, idx] of bySize) {
    const mean = idx.reduce((s, i) => s + e[i]!, 0) / idx.length;
    const k = idx.length;
    const ai = prep.agg.findIndex((a) => a.n === n);
    const single = prep.hasReplicates ? Math.sqrt(prep.noiseVar[ai]!) : st.sigmaObs;
    // The deviations' pattern carries the pairing; their size is set by the fit's noise variance at this size, which
    // is shrunk toward the pooled variance of all sizes: three seeds that happen to agree at one size would otherwise
    // make a confident multiplier out of a lucky draw (on identical simulated curves, 3 of 20 intervals were +-2%).
    const raw = idx.reduce((s, i) => s + (e[i]! - mean) ** 2, 0) / Math.max(1, k - 1);
    const paired = k >= 2 && raw > 0;
    for (const i of idx) {
      centre[i] = mean;
      dev[i] = paired ? e[i]! - mean : single;
      scale[i] = paired ? Math.sqrt(k / (k - 1)) * (single / Math.sqrt(raw)) : 1;
    }
  }
  const eLo = prep.orient.eLo;
  return {
    keys: new Set(keyOf),
    draw(weight, z) {
      const shift = new Map<number, number>();
      for (const n of bySize.keys()) shift.set(n, st.lackOfFit > 0 ? st.lackOfFit * z() : 0);
      const out = new Float64Array(e.length);
      for (let i = 0; i < e.length; i++) out[i] = Math.max(eLo, centre[i]! + shift.get(prep.points[i]!.n)! + scale[i]! * weight(keyOf[i]!) * dev[i]!);
      return out;
    },
  };
}
