/**
 * The rung ladder of a comparison: the sizes measured in ascending order, every surviving variant at every seed
 * of one size before the next size starts, so that pruning decisions rest on complete paired sets.
 */
import type { TimeModel } from "../planner.js";

/**
 * Predicted seconds of one Run of a variant at n: its own time model; else the measured variant closest in FLOPs,
 * scaled by the FLOPs ratio to a power. Small models are dominated by per-step overhead, so time grows far slower
 * than FLOPs (measured on Fashion-MNIST cnn widths 0.25 -> 1: 14x the FLOPs, 3.5x the time): the power is fitted
 * on the measured variants when two or more are known (clamped to [0.2, 1]), else 0.5. Null when nothing is known.
 */
export function predictRunSeconds(
  v: string,
  n: number,
  models: ReadonlyMap<string, TimeModel | null>,
  flops: ReadonlyMap<string, number | null>,
): number | null {
  const own = models.get(v);
  if (own) return own.predict(n);
  const fv = flops.get(v);
  const known = [...models].filter(([u, m]) => m && flops.get(u)) as [string, TimeModel][];
  if (fv && known.length) {
    const at = known.map(([u, m]) => ({ lf: Math.log(flops.get(u)!), lt: Math.log(Math.max(1e-3, m.predict(n))) }));
    let power = 0.5;
    if (at.length >= 2) {
      const mx = at.reduce((a, p) => a + p.lf, 0) / at.length;
      const my = at.reduce((a, p) => a + p.lt, 0) / at.length;
      const sxx = at.reduce((a, p) => a + (p.lf - mx) ** 2, 0);
      if (sxx > 1e-9) power = Math.min(1, Math.max(0.2, at.reduce((a, p) => a + (p.lf - mx) * (p.lt - my), 0) / sxx));
    }
    const nearest = at.reduce((b, p) => (Math.abs(p.lf - Math.log(fv)) < Math.abs(b.lf - Math.log(fv)) ? p : b));
    return Math.exp(nearest.lt + power * (Math.log(fv) - nearest.lf));
  }
  for (const m of models.values()) if (m) return m.predict(n);
  return null;
}

/**
 * The next size to measure when the budget cannot reach every size left: the affordable sizes are spread evenly
 * (by position on the ladder, so geometrically) from the last size measured to the farthest one that fits, rather
 * than spent on the next few small sizes in line, so that a short budget still gives a curve over the widest range
 * it can. Plans are ranked by: enough sizes for a fit (4 in all, counting `measured`), then the farthest reach, then
 * more sizes. `cost(i)` is the predicted wall time of measuring ladder[i]; no budget or an unknown cost: next in line.
 * Returns the index to measure next and how many sizes the plan holds, or null when not even one more size fits.
 */
export function nextRung(ladderLength: number, lastMeasured: number, measured: number, cost: (i: number) => number | null, budget: number | null): { index: number; sizes: number } | null {
  const first = lastMeasured + 1;
  if (first >= ladderLength) return null;
  if (budget === null) return { index: first, sizes: ladderLength - first };
  const costs = Array.from({ length: ladderLength }, (_, i) => (i >= first ? cost(i) : 0));
  if (costs.slice(first).some((c) => c === null)) return { index: first, sizes: ladderLength - first };
  const better = (a: number[], b: number[]) => {
    for (let x = 0; x < a.length; x++) if (a[x] !== b[x]) return a[x]! > b[x]!;
    return false;
  };
  let best: { key: number[]; index: number; sizes: number } | null = null;
  for (let m = 1; m <= ladderLength - first; m++) {
    for (let j = first + m - 1; j < ladderLength; j++) {
      const picks = [...new Set(Array.from({ length: m }, (_, t) => lastMeasured + Math.round(((j - lastMeasured) * (t + 1)) / m)))];
      if (picks.length !== m || picks.reduce((a, i) => a + costs[i]!, 0) > budget) continue;
      const key = [Math.min(4, measured + m), j, m];
      if (!best || better(key, best.key)) best = { key, index: picks[0]!, sizes: m };
    }
  }
  return best ? { index: best.index, sizes: best.sizes } : null;
}
