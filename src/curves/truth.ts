/**
 * The truth protocol for samples-for-target answers (issue 17): cut a measured curve at a fraction of its largest
 * size, take as targets the measured mean scores at the larger sizes, and compare the answer n with the size that
 * really reached each target. Pure; the bench (bench/truth.bench.ts) and the calibration use it.
 */
import { aggregatePoints } from "./aggregate.js";
import type { CurvePoint } from "./types.js";

export interface TruthCurve {
  /** Unique name (a corpus file, or an LCDB curve id). */
  id: string;
  /** Which group the curve is reported in (e.g. "engine" or "lcdb"). */
  group: string;
  points: CurvePoint[];
}

export interface TruthCase {
  curve: string;
  group: string;
  /** The fit sees sizes up to largest / fraction. */
  fraction: number;
  fitPoints: CurvePoint[];
  /** Largest fitted size. */
  nFit: number;
  targets: { target: number; truth: number }[];
  /** Larger sizes not used as targets: their mean is not above every smaller size's (the target was met earlier). */
  skipped: number;
}

/**
 * The cases of one curve: for each fraction f, the points with n <= largest / f (at least 3 distinct sizes, else
 * no case), and each larger size whose mean score is a new best (above every smaller size's mean, so that size is
 * where the target was first met) as a target, with that size as the truth.
 */
export function truthCases(curve: TruthCurve, fractions: readonly number[], direction: "up" | "down" = "up"): TruthCase[] {
  const agg = aggregatePoints(curve.points);
  if (agg.length === 0) return [];
  const largest = agg[agg.length - 1]!.n;
  const better = (a: number, b: number): boolean => (direction === "up" ? a > b : a < b);
  const out: TruthCase[] = [];
  for (const f of fractions) {
    const cut = largest / f;
    const fitAgg = agg.filter((a) => a.n <= cut * (1 + 1e-9));
    if (fitAgg.length < 3) continue;
    const nFit = fitAgg[fitAgg.length - 1]!.n;
    let best = fitAgg.reduce((b, a) => (better(a.mean, b) ? a.mean : b), fitAgg[0]!.mean);
    const targets: { target: number; truth: number }[] = [];
    let skipped = 0;
    for (const a of agg.filter((x) => x.n > nFit)) {
      if (better(a.mean, best)) {
        targets.push({ target: a.mean, truth: a.n });
        best = a.mean;
      } else skipped++;
    }
    out.push({ curve: curve.id, group: curve.group, fraction: f, fitPoints: curve.points.filter((p) => p.n <= nFit), nFit, targets, skipped });
  }
  return out;
}

export interface TruthAnswer {
  truth: number;
  /** The answer n (Infinity when the answer is "not reachable"). */
  mean: number;
  lo: number;
  hi: number;
}

export interface TruthSummary {
  count: number;
  /** Median and 90th percentile of max(answer/truth, truth/answer). */
  medianRatio: number;
  p90Ratio: number;
  /** Share of the truths inside [lo, hi]. */
  coverage: number;
  /** Median of hi/lo (Infinity for an unbounded interval). */
  medianWidth: number;
}

/** max(a/t, t/a); Infinity for an answer that is not a positive finite number. */
export function foldRatio(answer: number, truth: number): number {
  if (!(answer > 0) || !Number.isFinite(answer)) return Infinity;
  return Math.max(answer / truth, truth / answer);
}

/** Empirical quantile (type 7, as numpy's default) of values that may include Infinity. */
export function quantile(values: readonly number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  if (lo === hi || v[lo] === v[hi]) return v[lo]!;
  if (!Number.isFinite(v[hi]!)) return h - lo < 1e-12 ? v[lo]! : Infinity;
  return v[lo]! + (h - lo) * (v[hi]! - v[lo]!);
}

export function summariseTruth(answers: readonly TruthAnswer[]): TruthSummary {
  const ratios = answers.map((a) => foldRatio(a.mean, a.truth));
  const widths = answers.map((a) => (a.lo > 0 ? a.hi / a.lo : Infinity));
  const covered = answers.filter((a) => a.truth >= a.lo && a.truth <= a.hi).length;
  return {
    count: answers.length,
    medianRatio: quantile(ratios, 0.5),
    p90Ratio: quantile(ratios, 0.9),
    coverage: answers.length ? covered / answers.length : NaN,
    medianWidth: quantile(widths, 0.5),
  };
}
