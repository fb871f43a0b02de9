/**
 * Per-unit data needs at one common score: "group B needs about 3x the samples of group A for the same accuracy".
 * Each unit's samples for the level come from its own fitted curve; the ratio's 80% interval pairs the two fits'
 * bootstrap draws at random (the fits are independent: different test rows, their own Runs' noise), weighted as the
 * fits weight them, so both curves' uncertainty widens it.
 */
import type { CurveFit, Interval } from "../../curves/index.js";
import { rngFor } from "../../rng.js";

export interface NeedRow {
  name: string;
  /** Samples of this unit for the level (its own count), with the fit's 80% interval; hi Infinity = no upper end. */
  samples: Interval;
  /**
   * Its samples over the reference unit's, with the paired-draws interval. A unit already past the level at its
   * smallest measured count has that count as an upper bound on its need (a curve is not read below its measured
   * sizes): against such a reference a ratio is "at least"; such a unit against a measured reference is "at most";
   * two bounded units have no ratio ("unknown", null).
   */
  ratio: (Interval & { kind: "estimate" | "at most" | "at least" }) | null;
  reachable: boolean | "uncertain";
}

const PAIRS = 2000;

/** A quantile that keeps Infinity (a draw that never reaches the level): stats.quantile drops non-finite values. */
function rankQuantile(v: number[], q: number): number {
  const a = Float64Array.from(v).sort();
  return a[Math.min(a.length - 1, Math.max(0, Math.round((a.length - 1) * q)))]!;
}

/**
 * `level` should be a score every unit reached (the lowest of their top measured scores). The reference is the
 * unit needing the fewest samples for it (a bounded unit counted at its bound).
 */
export function dataNeeds(units: readonly { name: string; fit: CurveFit; minN: number }[], level: number, seed = 0): { reference: string; rows: NeedRow[] } | null {
  const read = units.map((u) => {
    const s = u.fit.samplesFor(level);
    // The fitter's draws (FittedCurve.crossingDraws); a CurveFit without them counts as its interval's two ends.
    const own = (u.fit as CurveFit & { crossingDraws?: (t: number) => { n: number[]; w: number[] } }).crossingDraws;
    const below = Number.isFinite(s.mean) && s.mean < u.minN;
    const draws = below ? { n: [u.minN], w: [1] } : own ? own.call(u.fit, level) : { n: [s.lo, s.hi], w: [1, 1] };
    return { ...u, s, below, need: below ? u.minN : s.reachable === false ? Infinity : s.mean, draws, cum: [] as number[] };
  });
  for (const r of read) r.cum = r.draws.w.reduce<number[]>((acc, v) => (acc.push((acc.at(-1) ?? 0) + v), acc), []);
  const candidates = read.filter((r) => Number.isFinite(r.need));
  if (!candidates.length) return null;
  const ref = candidates.reduce((a, b) => (b.need < a.need ? b : a));
  const rand = rngFor(seed, "plan-needs");
  const pick = (r: (typeof read)[number]) => {
    const u = rand() * r.cum[r.cum.length - 1]!;
    let i = 0;
    while (i < r.cum.length - 1 && r.cum[i]! < u) i++;
    return r.draws.n[i]!;
  };
  const rows = read.map((r): NeedRow => {
    const base = { name: r.name, samples: { mean: r.s.mean, lo: r.s.lo, hi: r.s.hi }, reachable: r.s.reachable };
    if (r === ref) return { ...base, ratio: { mean: 1, lo: 1, hi: 1, kind: "estimate" } };
    if (r.below && ref.below) return { ...base, ratio: null };
    const kind = r.below ? "at most" : ref.below ? "at least" : "estimate";
    const ratios = Array.from({ length: PAIRS }, () => {
      const a = pick(ref);
      return a > 0 && Number.isFinite(a) ? pick(r) / a : Infinity;
    });
    const mean = r.need / ref.need;
    return { ...base, ratio: { mean, lo: Math.min(mean, rankQuantile(ratios, 0.1)), hi: Math.max(mean, rankQuantile(ratios, 0.9)), kind } };
  });
  const key = (r: NeedRow) => r.ratio?.mean ?? -1;
  return { reference: ref.name, rows: rows.sort((a, b) => (key(a) === key(b) ? 0 : key(a) - key(b))) };
}
