/**
 * Early discard of variants that are clearly dominated. A comparison's Runs grow with variants x sizes x seeds;
 * measuring sizes in ascending rungs (every surviving variant at one size, then the next size) lets a variant that
 * loses everywhere stop early, in the spirit of successive halving. Unlike plain successive halving, a variant is
 * not dropped for ranking low: small models win at small n and big ones at large n, so ranking at small sizes
 * would discard the very variant that pays off later. A variant v is dropped only when some other variant u is
 * better than v at every measured size (at least `minSizes` of them), each time with a paired lower confidence
 * bound above `margin` (never on one seed's noise: at least two paired seeds per size), and the gap is not
 * closing: extrapolated linearly in log n to the largest planned size, u's advantage still exceeds the margin.
 */
import { commonSizes, pairedDiff, type ScoreTable } from "./paired.js";
import { int } from "../../format.js";

export interface PruneOptions {
  /** Advantage (in the metric's units) that counts as clearly better. */
  margin: number;
  /** Measured sizes both variants need before one can be dropped (default 3). */
  minSizes?: number;
  /** Paired seeds per size (default 2). */
  minPairs?: number;
  /** Two-sided confidence of the paired intervals (default 0.9, so each lower bound is a 95% one-sided bound). */
  confidence?: number;
  /** The largest size the plan would still measure (for the "is the gap closing?" check). */
  nFinal: number;
}

export interface Domination {
  variant: string;
  by: string;
  /** Sizes compared and the paired advantage of `by` at each. */
  diffs: { n: number; mean: number; lo: number; count: number }[];
  /** `by`'s advantage extrapolated to nFinal. */
  atFinal: number;
  reason: string;
}

/** Whether `v` is clearly dominated by `u` (see the module comment); null if not, with the evidence if so. */
export function dominatedBy(t: ScoreTable, v: string, u: string, o: PruneOptions, label: (id: string) => string = (x) => x): Domination | null {
  const minSizes = o.minSizes ?? 3;
  const sizes = commonSizes(t, u, v, o.minPairs ?? 2);
  if (sizes.length < minSizes) return null;
  const diffs = sizes.map((n) => pairedDiff(t, u, v, n, o.confidence ?? 0.9)!);
  if (!diffs.every((d) => d.lo > o.margin)) return null;
  const xs = diffs.map((d) => Math.log(d.n));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = diffs.reduce((a, d) => a + d.mean, 0) / diffs.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = sxx > 0 ? xs.reduce((a, x, i) => a + (x - mx) * (diffs[i]!.mean - my), 0) / sxx : 0;
  const last = diffs[diffs.length - 1]!;
  // Only a closing gap is extrapolated; a widening one is taken as it stands at the last size.
  const atFinal = last.mean + Math.min(0, slope) * Math.max(0, Math.log(o.nFinal) - Math.log(last.n));
  if (atFinal <= o.margin) return null;
  const f = (x: number) => x.toFixed(3);
  const reason =
    `${label(u)} beats it at all ${diffs.length} sizes measured (${int(sizes[0]!)}–${int(last.n)}) by at least ${f(Math.min(...diffs.map((d) => d.lo)))} ` +
    `(paired over ${Math.min(...diffs.map((d) => d.count))}+ seeds, margin ${f(o.margin)}), and the gap is not closing ` +
    `(${f(atFinal)} expected at n=${int(o.nFinal)})`;
  return { variant: v, by: u, diffs: diffs.map((d) => ({ n: d.n, mean: d.mean, lo: d.lo, count: d.count })), atFinal, reason };
}

/**
 * Variants to drop now among `alive`: each dominated one, checked against every other survivor (domination with
 * a positive margin is transitive, so dropping all of them at once is safe); at least one variant always stays.
 */
export function prune(t: ScoreTable, alive: readonly string[], o: PruneOptions, label?: (id: string) => string): Domination[] {
  const out: Domination[] = [];
  for (const v of alive) {
    let best: Domination | null = null;
    for (const u of alive) {
      if (u === v) continue;
      const d = dominatedBy(t, v, u, o, label);
      if (d && (!best || d.atFinal > best.atFinal)) best = d;
    }
    if (best) out.push(best);
  }
  // Cannot happen with a positive margin (the best variant at the largest size is never dominated); a guard.
  return out.length >= alive.length ? [] : out;
}

