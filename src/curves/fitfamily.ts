/** Fits one family to error-space data: projected multi-start, then bounded Levenberg-Marquardt from the best. */
import type { Family, FamilyContext, FitData } from "./families.js";
import { levenbergMarquardt, type LmProblem } from "./lm.js";

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
  opts: { warm?: ArrayLike<number>; maxStarts?: number; maxIter?: number; tol?: number } = {},
): FamilyFit {
  const prob = problem(fam, d, ctx);
  const starts = opts.warm ? [Array.from(opts.warm)] : fam.starts(d, ctx).slice(0, opts.maxStarts ?? 3);
  let bestFit: FamilyFit | undefined;
  for (const s of starts) {
    const r = levenbergMarquardt(prob, s, { maxIter: opts.maxIter ?? 100, tol: opts.tol ?? 1e-10 });
    if (!bestFit || r.cost < bestFit.cost) bestFit = { family: fam, p: r.p, cost: r.cost, ctx };
  }
  return bestFit!;
}
