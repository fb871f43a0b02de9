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
  /** Its samples over the reference unit's (the one needing the fewest), with the paired-draws interval. */
  ratio: Interval;
  reachable: boolean | "uncertain";
}

const PAIRS = 2000;

/** A quantile that keeps Infinity (a draw that never reaches the level): stats.quantile drops non-finite values. */
function rankQuantile(v: number[], q: number): number {
  const a = Float64Array.from(v).sort();
  return a[Math.min(a.length - 1, Math.max(0, Math.round((a.length - 1) * q)))]!;
}

export function dataNeeds(units: readonly { name: string; fit: CurveFit }[], level: number, seed = 0): { reference: string; rows: NeedRow[] } | null {
  const read = units.map((u) => {
    const s = u.fit.samplesFor(level);
    // The fitter's draws (FittedCurve.crossingDraws); a CurveFit without them counts as its interval's two ends.
    const own = (u.fit as CurveFit & { crossingDraws?: (t: number) => { n: number[]; w: number[] } }).crossingDraws;
    return { ...u, s, draws: own ? own.call(u.fit, level) : { n: [s.lo, s.hi], w: [1, 1] } };
  });
  const finite = read.filter((r) => Number.isFinite(r.s.mean) && r.s.reachable !== false);
  if (!finite.length) return null;
  const ref = finite.reduce((a, b) => (b.s.mean < a.s.mean ? b : a));
  const rand = rngFor(seed, "plan-needs");
  const pick = (d: { n: number[]; w: number[] }, cum: number[]) => {
    const u = rand() * cum[cum.length - 1]!;
    let i = 0;
    while (i < cum.length - 1 && cum[i]! < u) i++;
    return d.n[i]!;
  };
  const cumOf = (w: number[]) => w.reduce<number[]>((acc, v) => (acc.push((acc.at(-1) ?? 0) + v), acc), []);
  const refCum = cumOf(ref.draws.w);
  const rows = read.map((r): NeedRow => {
    const cum = cumOf(r.draws.w);
    const ratios: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const a = pick(ref.draws, refCum);
      const b = pick(r.draws, cum);
      ratios.push(a > 0 && Number.isFinite(a) ? b / a : Infinity);
    }
    const mean = r === ref ? 1 : r.s.reachable === false ? Infinity : r.s.mean / ref.s.mean;
    const lo = r === ref ? 1 : Math.min(mean, rankQuantile(ratios, 0.1));
    const hi = r === ref ? 1 : Math.max(mean, rankQuantile(ratios, 0.9));
    return { name: r.name, samples: { mean: r.s.mean, lo: r.s.lo, hi: r.s.hi }, ratio: { mean, lo, hi }, reachable: r.s.reachable };
  });
  return { reference: ref.name, rows: rows.sort((a, b) => a.ratio.mean - b.ratio.mean) };
}
