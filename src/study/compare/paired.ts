/**
 * Paired differences between variants. Every variant trains on the same nested subset for a given (size, seed),
 * so the seed-to-seed noise that comes from the subset is shared: the difference of two variants' scores on the
 * same (size, seed) has far less variance than the difference of their means. Intervals are Student-t intervals
 * of the mean paired difference.
 */
import { tQuantile } from "../../stats.js";
import { scoreOf } from "../metrics.js";
import type { RunRecord } from "../runner.js";

// Re-exported where they used to live: the quantiles moved to src/stats.ts so the curves layer can share them.

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

/** (variant, n, seed, test score) of the finished Runs of a comparison. */
export function rowsOf(records: readonly RunRecord[], metric: string): { variant: string; n: number; seed: number; score: number }[] {
  return records.flatMap((r) => {
    const s = r.status === "done" && r.result ? scoreOf(r.result.metrics.test, metric) : undefined;
    return s === undefined || r.variant === undefined ? [] : [{ variant: r.variant, n: r.size, seed: r.seed, score: s }];
  });
}
