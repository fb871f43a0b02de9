/**
 * Which one Run would narrow a wide samples-for-target answer most (issue 17.4). For each candidate size within
 * the pool and beyond the largest measured size, the curve is refitted with one more point there, scoring what the
 * current fit forecasts (a what-if: the most likely outcome), and the target's interval is read again; the
 * candidate with the narrowest interval wins, with its time from the planner's time model. Pure: the fitter and
 * the time model are passed in.
 */
import type { CurvePoint, FitOptions } from "../curves/index.js";
import type { FitCurveFn } from "./analysis.js";
import { roundSize } from "./planner.js";

/** An answer is "wide" (worth a suggestion) when its 80% interval spans more than this ratio hi/lo. */
export const WIDE_RATIO = 2;

export interface NarrowingRun {
  /** The size of the suggested Run (one seed). */
  n: number;
  /** Predicted seconds of that Run (planner's time model), null when unknown. */
  seconds: number | null;
  /** The target's 80% interval now, and roughly after the Run if it scores as forecast. */
  before: { lo: number; hi: number };
  after: { mean: number; lo: number; hi: number };
}

export interface NarrowingInput {
  points: CurvePoint[];
  fitOptions: FitOptions;
  fitCurve: FitCurveFn;
  target: number;
  /** The current answer. */
  answer: { mean: number; lo: number; hi: number };
  pool: number;
  secondsAt?: (n: number) => number | null;
}

const logWidth = (lo: number, hi: number): number => (lo > 0 && Number.isFinite(hi) ? Math.log(hi / lo) : Infinity);

/** Candidate sizes: the answer itself (clamped to the pool), the pool, and the geometric midpoint from nMax. */
export function narrowingCandidates(nMax: number, answer: number, pool: number): number[] {
  const at = Number.isFinite(answer) && answer > 0 ? Math.min(answer, pool) : pool;
  const raw = [at, pool, Math.sqrt(nMax * at)].map((n) => Math.min(pool, roundSize(n)));
  return [...new Set(raw)].filter((n) => n > 1.2 * nMax).sort((a, b) => a - b);
}

/** The Run that narrows the answer most, or null when the answer is not wide or no Run would help. */
export function narrowingRun(o: NarrowingInput): NarrowingRun | null {
  const before = logWidth(o.answer.lo, o.answer.hi);
  if (before <= Math.log(WIDE_RATIO)) return null;
  if (o.points.length === 0) return null;
  const nMax = Math.max(...o.points.map((p) => p.n));
  let best: NarrowingRun | null = null;
  let bestWidth = before;
  const fit = o.fitCurve(o.points, o.fitOptions);
  for (const n of narrowingCandidates(nMax, o.answer.mean, o.pool)) {
    const score = fit.scoreAt(n).mean;
    let sf;
    try {
      sf = o.fitCurve([...o.points, { n, score, seed: "what-if" }], o.fitOptions).samplesFor(o.target);
    } catch {
      continue;
    }
    const w = logWidth(sf.lo, sf.hi);
    // A suggestion must narrow the interval by a quarter at least (in log width) to be worth a Run.
    if (w < 0.75 * bestWidth) {
      bestWidth = w;
      best = { n, seconds: o.secondsAt?.(n) ?? null, before: { lo: o.answer.lo, hi: o.answer.hi }, after: { mean: sf.mean, lo: sf.lo, hi: sf.hi } };
    }
  }
  return best;
}
