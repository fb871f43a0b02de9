/**
 * Which Run to start next. Pure functions over a snapshot of the study, so the choice is testable and every
 * decision carries the reason shown by --verbose.
 *
 * Fixed plans (explicit --sizes): every size x seed, seed by seed, each round alternating large and small sizes so
 * that long Runs start early and the first fits already see a spread of sizes.
 *
 * Adaptive plans (--sizes auto): a pilot of the smallest sizes (cheap; they give the curve's shape and the time
 * per Run), then, greedily, the candidate (size, next seed) with the largest expected reduction of the answer's
 * uncertainty per expected second. The uncertainty model is deliberately simple and cheap: locally the score is
 * linear in log n, so the variance of the predicted score at the focus size x* = log n* (the current answer, or
 * twice the pool without a target) is proportional to 1/N + (x* - mean x)^2 / Sxx over the Runs' log sizes. Adding a
 * Run at x changes N, mean and Sxx in closed form, which gives its variance reduction; dividing by its predicted
 * time (measured time per Run vs n, plus a fixed per-Run overhead) gives reduction per second. Extra seeds go only
 * to sizes in the upper half of those measured (small-n replicates say little about the far end of the curve).
 * A candidate whose predicted time (with a 25% margin: the time model is rough) exceeds the remaining budget is
 * never started; candidates that would remove less than 2% of the current variance are not considered, and the plan
 * stops when none is left. When the answer for the target lies within the pool and beyond the measured sizes, one
 * Run near it (one seed, within the budget) comes first: it turns the answer's extrapolation into an interpolation.
 */
import { int } from "../format.js";

/** Predicted Run times are inflated by this much before they are checked against the remaining budget. */
export const BUDGET_MARGIN = 1.25;
/** An adaptive plan stops once the best next Run would remove less than this share of the answer's variance. */
export const MIN_REDUCTION = 0.02;

export type Decision =
  | { kind: "run"; size: number; seed: number; reason: string; predictedSeconds: number | null; variant?: string }
  | { kind: "stop"; reason: string };

export interface TimeModel {
  /** Predicted seconds of one Run at n. */
  predict(n: number): number;
  /** Runs the model was fitted on. */
  count: number;
}

/**
 * Seconds per Run vs n, in two parts that scale differently: training (a power law b n^c fitted in log-log, c
 * clamped to [0.3, 1.5], since early stopping bends it) and the rest of the Run (evaluation on the fixed test split,
 * subset drawing), which is nearly constant and is modelled as its mean. One Run: training proportional to n.
 * None: null. Observations without a training time count wholly as training.
 */
export function fitTimeModel(obs: { n: number; seconds: number; trainSeconds?: number }[]): TimeModel | null {
  const pts = obs.filter((o) => o.n > 0 && o.seconds > 0);
  if (!pts.length) return null;
  const train = pts.map((p) => Math.max(1e-3, Math.min(p.seconds, p.trainSeconds ?? p.seconds)));
  const rest = mean(pts.map((p, i) => p.seconds - train[i]!));
  const lx = pts.map((p) => Math.log(p.n));
  const ly = train.map(Math.log);
  const c = new Set(pts.map((p) => p.n)).size >= 2 ? clamp(olsSlope(lx, ly), 0.3, 1.5) : 1;
  const logB = mean(ly.map((y, i) => y - c * lx[i]!));
  return { predict: (n) => rest + Math.exp(logB) * Math.pow(n, c), count: pts.length };
}

/** Order of a fixed plan: seed by seed; within a seed, sizes alternate largest, smallest, next largest, ... */
export function fixedOrder(sizes: number[], seeds: number): { size: number; seed: number }[] {
  const asc = [...new Set(sizes)].sort((a, b) => a - b);
  const interleaved: number[] = [];
  for (let lo = 0, hi = asc.length - 1; lo <= hi; ) {
    interleaved.push(asc[hi--]!);
    if (lo <= hi) interleaved.push(asc[lo++]!);
  }
  const out: { size: number; seed: number }[] = [];
  for (let seed = 0; seed < seeds; seed++) for (const size of interleaved) out.push({ size, seed });
  return out;
}

export interface FixedState {
  order: { size: number; seed: number }[];
  /** "size:seed" keys already done, running, failed or skipped. */
  taken: Set<string>;
  time: TimeModel | null;
  remainingSeconds: number | null;
}

export function nextFixed(s: FixedState): Decision {
  for (const o of s.order) {
    const key = `${o.size}:${o.seed}`;
    if (s.taken.has(key)) continue;
    const predicted = s.time ? s.time.predict(o.size) : null;
    if (s.remainingSeconds !== null && predicted !== null && BUDGET_MARGIN * predicted > s.remainingSeconds) {
      s.taken.add(key);
      continue;
    }
    return { kind: "run", size: o.size, seed: o.seed, reason: `planned: n=${int(o.size)}, seed ${o.seed}`, predictedSeconds: predicted };
  }
  return { kind: "stop", reason: "every planned Run that fits the budget has been started" };
}

export interface AdaptiveState {
  /** Candidate sizes, ascending. */
  grid: number[];
  maxSeeds: number;
  /** Seeds already used (done, running or failed) per size. */
  used: Map<number, Set<number>>;
  /** Sizes of Runs done or running (one entry per Run), for the uncertainty model. */
  runSizes: number[];
  /** Where the answer lies: n for the target, or a size beyond the pool when there is no target. */
  focus: number;
  /** Why that focus (for the reason text). */
  focusWhy: string;
  time: TimeModel | null;
  /** Fixed seconds per Run beyond training (worker hand-off, evaluation), added to the cost. */
  overheadSeconds: number;
  remainingSeconds: number | null;
  /** How many distinct sizes the pilot measures before the model decides. */
  pilotSizes: number;
  /** Set when the current answer is already tight enough (the reason), so no more Runs are needed. */
  tight?: string;
  /**
   * The current answer n for the target when it lies within the pool: past the pilot, one Run near it (one seed)
   * comes first, since a measurement there turns the answer's extrapolation into an interpolation (issue 17.3).
   */
  crossing?: number | null;
}

/** Two significant digits (29,700 -> 30,000): a Run "near the forecast n" need not pretend to its precision. */
export function roundSize(n: number): number {
  const p = Math.pow(10, Math.max(0, Math.floor(Math.log10(n)) - 1));
  return Math.max(1, Math.round(n / p) * p);
}

/** A measured (or running) size within this factor of the crossing counts as "near" it. */
const NEAR_CROSSING = 1.25;

/** The Run near the forecast crossing, when it is not measured yet, lies beyond the measured sizes and fits the budget. */
function nearCrossing(s: AdaptiveState, affordable: (n: number) => boolean, predict: (n: number) => number | null): Decision | null {
  const c = s.crossing;
  if (!c || !(c > 0) || s.runSizes.length === 0) return null;
  const largest = Math.max(...s.runSizes);
  if (c <= NEAR_CROSSING * largest) return null;
  if (s.runSizes.some((n) => Math.abs(Math.log(n / c)) < Math.log(NEAR_CROSSING))) return null;
  const top = Math.max(...s.grid);
  const size = Math.min(roundSize(c), top);
  if (s.used.get(size)?.has(0) || !affordable(size)) return null;
  return {
    kind: "run",
    size,
    seed: 0,
    reason: `n=${int(size)}, seed 0: near the forecast n≈${int(c)} for the target, within the pool: measuring there turns the answer's extrapolation into an interpolation`,
    predictedSeconds: predict(size),
  };
}

export function nextAdaptive(s: AdaptiveState): Decision {
  if (s.tight) return { kind: "stop", reason: s.tight };
  const measuredSizes = [...new Set(s.runSizes)].sort((a, b) => a - b);
  const nextSeed = (size: number): number | null => {
    const used = s.used.get(size) ?? new Set<number>();
    for (let seed = 0; seed < s.maxSeeds; seed++) if (!used.has(seed)) return seed;
    return null;
  };
  const predict = (n: number) => (s.time ? s.time.predict(n) : null);
  const affordable = (n: number) => {
    const p = predict(n);
    return s.remainingSeconds === null || p === null || BUDGET_MARGIN * p + s.overheadSeconds <= s.remainingSeconds;
  };

  // Pilot: the smallest sizes, one seed each.
  const usedSizes = s.grid.filter((g) => (s.used.get(g)?.size ?? 0) > 0);
  if (usedSizes.length < Math.min(s.pilotSizes, s.grid.length)) {
    const g = s.grid.find((size) => !(s.used.get(size)?.size) && affordable(size));
    if (g !== undefined) {
      return { kind: "run", size: g, seed: 0, reason: `pilot: n=${int(g)} is among the smallest sizes (cheap; measures the curve's shape and the time per Run)`, predictedSeconds: predict(g) };
    }
  }

  if (usedSizes.length >= Math.min(s.pilotSizes, s.grid.length)) {
    const near = nearCrossing(s, affordable, predict);
    if (near) return near;
  }

  const xs = s.runSizes.map(Math.log);
  const xStar = Math.log(s.focus);
  const median = measuredSizes.length ? measuredSizes[Math.floor(measuredSizes.length / 2)]! : 0;
  // Past the pilot, a Run is worth starting only if it removes at least MIN_REDUCTION of the current variance; among
  // those, the most per second wins. (Ranking first and testing the winner would let a cheap small Run that removes
  // 1% stop the plan while a larger one would still remove 15%.)
  const rel = predictedVariance(xs, xStar);
  const judged = Number.isFinite(rel) && rel > 0 && measuredSizes.length >= s.pilotSizes;
  let best: { size: number; seed: number; value: number; reduction: number; cost: number } | null = null;
  let affordableLeft = false;
  for (const g of s.grid) {
    const seed = nextSeed(g);
    if (seed === null) continue;
    if (seed > 0 && g < median) continue;
    if (!affordable(g)) continue;
    affordableLeft = true;
    const reduction = varianceReduction(xs, xStar, Math.log(g));
    if (judged && reduction / rel < MIN_REDUCTION) continue;
    const cost = (predict(g) ?? g * 1e-3) + s.overheadSeconds;
    const value = reduction / cost;
    if (!best || value > best.value) best = { size: g, seed, value, reduction, cost };
  }
  if (!best) {
    if (affordableLeft) return { kind: "stop", reason: `no remaining Run would lower the answer's variance by ${100 * MIN_REDUCTION}% or more` };
    const anyLeft = s.grid.some((g) => nextSeed(g) !== null);
    return { kind: "stop", reason: anyLeft ? "no remaining Run fits in the budget" : "every size has all its seeds" };
  }
  const share = rel > 0 && Number.isFinite(rel) ? ` (${Math.round((100 * best.reduction) / rel)}% of the current variance at ${s.focusWhy})` : "";
  const why = best.seed === 0 ? `a new size` : `seed ${best.seed} at a size already measured`;
  return {
    kind: "run",
    size: best.size,
    seed: best.seed,
    reason: `n=${int(best.size)}, seed ${best.seed}: ${why}; largest expected uncertainty reduction per second${share}, about ${best.cost.toFixed(1)} s`,
    predictedSeconds: predict(best.size),
  };
}

/** Relative variance of the linear-in-log-n prediction at xStar: 1/N + (x* - mean)^2 / Sxx (Infinity if Sxx = 0). */
export function predictedVariance(xs: number[], xStar: number): number {
  const n = xs.length;
  if (n === 0) return Infinity;
  const m = mean(xs);
  const sxx = sum(xs.map((x) => (x - m) ** 2));
  if (sxx <= 1e-12) return n < 2 ? Infinity : 1 / n + ((xStar - m) ** 2) / 1e-12;
  return 1 / n + ((xStar - m) ** 2) / sxx;
}

/** How much one more Run at x lowers predictedVariance (a large finite number when it makes Sxx positive). */
export function varianceReduction(xs: number[], xStar: number, x: number): number {
  const before = predictedVariance(xs, xStar);
  const after = predictedVariance([...xs, x], xStar);
  if (!Number.isFinite(after)) return 0;
  if (!Number.isFinite(before)) return 1e6 * Math.abs(x - mean(xs.length ? xs : [x]));
  return Math.max(0, before - after);
}

/** Candidate sizes for adaptive plans: the given sizes plus their geometric midpoints (finer steps to choose from). */
export function densify(sizes: number[]): number[] {
  const asc = [...new Set(sizes)].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i < asc.length; i++) {
    out.push(asc[i]!);
    const next = asc[i + 1];
    if (next !== undefined && next / asc[i]! > 1.6) out.push(Math.round(Math.sqrt(asc[i]! * next)));
  }
  return out;
}

function olsSlope(x: number[], y: number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 1;
}

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
const mean = (a: number[]) => (a.length ? sum(a) / a.length : 0);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
