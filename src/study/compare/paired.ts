/**
 * Paired differences between variants. Every variant trains on the same nested subset for a given (size, seed),
 * so the seed-to-seed noise that comes from the subset is shared: the difference of two variants' scores on the
 * same (size, seed) has far less variance than the difference of their means. Intervals are Student-t intervals
 * of the mean paired difference.
 */
import { scoreOf } from "../metrics.js";
import type { RunRecord } from "../runner.js";

/** Score of each (variant, size, seed), already oriented: higher is better. */
export type ScoreTable = Map<string, Map<number, Map<number, number>>>;

export interface PairedDiff {
  n: number;
  /** Mean of (a - b) over the seeds both have; positive: a is better. */
  mean: number;
  lo: number;
  hi: number;
  sd: number;
  /** Paired seeds. */
  count: number;
}

/** Builds the oriented score table from (variant, n, seed, score) rows; `direction` "down" flips the sign. */
export function scoreTable(rows: readonly { variant: string; n: number; seed: number; score: number }[], direction: "up" | "down"): ScoreTable {
  const t: ScoreTable = new Map();
  for (const r of rows) {
    if (!t.has(r.variant)) t.set(r.variant, new Map());
    const byN = t.get(r.variant)!;
    if (!byN.has(r.n)) byN.set(r.n, new Map());
    byN.get(r.n)!.set(r.seed, direction === "up" ? r.score : -r.score);
  }
  return t;
}

/** The paired difference a - b at size n with a two-sided `confidence` t interval (infinite with one pair). */
export function pairedDiff(t: ScoreTable, a: string, b: string, n: number, confidence = 0.8): PairedDiff | null {
  const sa = t.get(a)?.get(n);
  const sb = t.get(b)?.get(n);
  if (!sa || !sb) return null;
  const d: number[] = [];
  for (const [seed, v] of sa) {
    const w = sb.get(seed);
    if (w !== undefined) d.push(v - w);
  }
  if (!d.length) return null;
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  if (d.length < 2) return { n, mean, lo: -Infinity, hi: Infinity, sd: NaN, count: 1 };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
  const half = tQuantile(0.5 + confidence / 2, d.length - 1) * (sd / Math.sqrt(d.length));
  return { n, mean, lo: mean - half, hi: mean + half, sd, count: d.length };
}

/** Sizes at which both variants have at least `minPairs` paired seeds, ascending. */
export function commonSizes(t: ScoreTable, a: string, b: string, minPairs = 1): number[] {
  const sa = t.get(a);
  const sb = t.get(b);
  if (!sa || !sb) return [];
  return [...sa.keys()].filter((n) => (pairedDiff(t, a, b, n)?.count ?? 0) >= minPairs).sort((x, y) => x - y);
}

/** Student-t quantile (exact for 1 and 2 degrees of freedom, Cornish-Fisher expansion beyond: error < 1e-3 for df >= 3). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) return p >= 1 ? Infinity : -Infinity;
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = (q: number) => {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  };
  if (p < 0.02425) return lowTail(p);
  if (p > 1 - 0.02425) return -lowTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** (variant, n, seed, test score) of the finished Runs of a comparison. */
export function rowsOf(records: readonly RunRecord[], metric: string): { variant: string; n: number; seed: number; score: number }[] {
  return records.flatMap((r) => {
    const s = r.status === "done" && r.result ? scoreOf(r.result.metrics.test, metric) : undefined;
    return s === undefined || r.variant === undefined ? [] : [{ variant: r.variant, n: r.size, seed: r.seed, score: s }];
  });
}
