/** Fits one family to error-space data: projected multi-start, then bounded Levenberg-Marquardt from the best. */
import type { Family, FamilyContext, FitData } from "./families.js";
import { levenbergMarquardt, type LmProblem } from "./lm.js";
import { robustScale } from "../stats.js";

export interface FamilyFit {
  family: Family;
  p: Float64Array;
  /** Weighted SSE. */
  cost: number;
  ctx: FamilyContext;
}

/** Error-space value of a fitted family at n, clipped at the metric's bound. */
export function evalFamily(fam: Family, p: ArrayLike<number>, ctx: FamilyContext, n: number): number {
  const v = fam.f(n, p, ctx);
  if (Number.isNaN(v)) return ctx.eHi;
  return v < ctx.eLo ? ctx.eLo : v;
}

function problem(fam: Family, d: FitData, ctx: FamilyContext): LmProblem {
  const { lower, upper } = fam.bounds(ctx);
  return { model: (i, p) => evalFamily(fam, p, ctx, d.n[i]!), y: d.e, w: d.w, lower, upper };
}

/**
 * Multi-start fit. `warm` (e.g. the full-data parameters when refitting a bootstrap replicate) replaces the grid
 * starts, which keeps replicates fast and on the same local optimum.
 */
export function fitFamily(
  fam: Family,
  d: FitData,
  ctx: FamilyContext,
  opts: { warm?: ArrayLike<number>; maxStarts?: number; maxIter?: number; tol?: number; robust?: boolean } = {},
): FamilyFit {
  const prob = problem(fam, d, ctx);
  const starts = opts.warm ? [Array.from(opts.warm)] : fam.starts(d, ctx).slice(0, opts.maxStarts ?? 3);
  let bestFit: FamilyFit | undefined;
  for (const s of starts) {
    const r = levenbergMarquardt(prob, s, { maxIter: opts.maxIter ?? 100, tol: opts.tol ?? 1e-10 });
    if (!bestFit || r.cost < bestFit.cost) bestFit = { family: fam, p: r.p, cost: r.cost, ctx };
  }
  if (!opts.robust) return bestFit!;
  return huberRefit(fam, d, ctx, bestFit!, opts);
}

/** Huber's tuning constant: 95% efficiency under normal noise. */
const HUBER_K = 1.345;
const ROBUST_ITERS = 6;

/**
 * Iteratively reweighted refit with Huber weights: a run that failed or diverged (a score far below its neighbours,
 * common in real curves) pulls a least-squares fit toward it; Huber weights keep points within HUBER_K robust sds
 * at full weight and shrink the rest in proportion to their distance. The scale is the MAD of the residuals.
 */
function huberRefit(fam: Family, d: FitData, ctx: FamilyContext, first: FamilyFit, opts: { maxIter?: number; tol?: number }): FamilyFit {
  const N = d.n.length;
  if (N < fam.paramNames.length + 3) return first;
  let fit = first;
  for (let it = 0; it < ROBUST_ITERS; it++) {
    // Residuals in units of each point's own noise (the fit weights are inverse noise variances).
    const r = Array.from(d.n, (n, i) => (d.e[i]! - evalFamily(fam, fit.p, ctx, n)) * Math.sqrt(d.w[i]!));
    const s = robustScale(r).scale;
    if (!(s > 1e-12 * (ctx.range + 1e-12))) return fit;
    const w = Float64Array.from(d.w, (wi, i) => wi * Math.min(1, (HUBER_K * s) / Math.max(Math.abs(r[i]!), 1e-300)));
    const prob = problem(fam, { n: d.n, e: d.e, w }, ctx);
    const lm = levenbergMarquardt(prob, Array.from(fit.p), { maxIter: opts.maxIter ?? 100, tol: opts.tol ?? 1e-10 });
    fit = { family: fam, p: lm.p, cost: lm.cost, ctx };
  }
  return fit;
}
