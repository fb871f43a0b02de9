/**
 * `--extra-keep similar:0.5`: keep the extra rows most like the user's, by importance weight. The domain
 * classifier's out-of-fold probability p that a row is extra gives the density ratio w = (1 - p) / p (how much more
 * likely the row is under the user's distribution than under the extra set's, up to a constant): the kept rows are
 * the fraction with the largest w, i.e. the smallest p.
 */
import { InputError } from "../../errors.js";

export interface KeepRule {
  rule: "similar";
  /** Share of the extra rows kept, in (0, 1]. */
  fraction: number;
  text: string;
}

const HINT = "write similar:F with F the share of the extra rows to keep, e.g. --extra-keep similar:0.5";

export function parseKeep(arg: string): KeepRule {
  const m = /^similar:(\d*\.?\d+)$/.exec(arg.trim());
  const f = m ? Number(m[1]) : NaN;
  if (!m || !(f > 0 && f <= 1)) throw new InputError("BAD_EXTRA_KEEP", `--extra-keep: cannot read "${arg}"`, { hint: HINT });
  return { rule: "similar", fraction: f, text: `similar:${f}` };
}

/** Rows kept (ascending ids) and the range of their importance weights. */
export function keepSimilar(pExtra: Float64Array, fraction: number): { rows: Int32Array; weights: { min: number; max: number } } {
  const n = pExtra.length;
  const k = Math.max(1, Math.round(fraction * n));
  const w = (p: number) => {
    const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
    return (1 - q) / q;
  };
  // Ties (equal probabilities) broken by row id, so the same scores keep the same rows.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => pExtra[a]! - pExtra[b]! || a - b);
  const rows = Int32Array.from(order.slice(0, k)).sort();
  return { rows, weights: { min: w(pExtra[order[k - 1]!]!), max: w(pExtra[order[0]!]!) } };
}
