/**
 * The rung ladder of a comparison: the sizes measured in ascending order, every surviving variant at every seed
 * of one size before the next size starts, so that pruning decisions rest on complete paired sets.
 */
import type { TimeModel } from "./planner.js";

/**
 * From the data layer's planned sizes, every size at least `ratio` times the last one kept (and the last size):
 * a Run's time barely falls below a few thousand samples (step budget and test evaluation are fixed), so close
 * small sizes cost nearly as much as far-apart ones and teach less about the curve's shape.
 */
export function thinLadder(sizes: readonly number[], ratio = 2.5): number[] {
  const asc = [...new Set(sizes)].sort((a, b) => a - b);
  const out: number[] = [];
  for (const n of asc) if (!out.length || n >= ratio * out[out.length - 1]!) out.push(n);
  const last = asc[asc.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) {
    // Replace a near neighbour of the last size rather than crowd it.
    if (out.length > 1 && last < 1.6 * out[out.length - 1]!) out.pop();
    out.push(last);
  }
  return out;
}

/**
 * Predicted seconds of one Run of a variant at n: its own time model, else a measured variant's scaled by the
 * FLOPs ratio (a capacity change moves time roughly with FLOPs), else null (unknown: the Run is allowed).
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
  for (const [u, m] of models) {
    const fu = flops.get(u);
    if (m && fv && fu) return m.predict(n) * Math.max(0.1, fv / fu);
  }
  for (const m of models.values()) if (m) return m.predict(n);
  return null;
}
