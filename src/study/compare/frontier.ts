/**
 * The data-optimal frontier: which variant is best at each data size. Two readings that support each other:
 * - measured: at every measured size, the best variant by mean score and its paired advantage over the runner-up
 *   (a t interval over the shared seeds), "clear" when that interval excludes zero;
 * - fitted: the upper envelope of the variants' fitted curves on a log grid, whose changes of leader are the
 *   crossover sizes ("below ~6,000 samples use width=0.5; above it width=2"), found by bisection in log n.
 * A pruned variant competes only up to the largest size it was measured at (its curve beyond is a guess).
 */
import type { CurveFit } from "../../curves/index.js";
import { pairedDiff, type ScoreTable } from "./paired.js";

export interface MeasuredFrontierRow {
  n: number;
  best: string;
  runnerUp: string | null;
  /** best - runnerUp in the metric's better direction (positive), paired over seeds, 80% t interval. */
  advantage: { mean: number; lo: number; hi: number; count: number } | null;
  clear: boolean;
  /** Mean oriented score per variant measured at n. */
  scores: Record<string, number>;
}

export interface FrontierSegment {
  variant: string;
  from: number;
  to: number;
}

export interface Crossover {
  n: number;
  from: string;
  to: string;
  /** Beyond the largest size measured for either variant: read off extrapolated curves. */
  extrapolated: boolean;
}

export interface FittedFrontier {
  grid: { n: number; best: string; score: number }[];
  segments: FrontierSegment[];
  crossovers: Crossover[];
}

export function measuredFrontier(t: ScoreTable, variants: readonly string[]): MeasuredFrontierRow[] {
  const sizes = new Set<number>();
  for (const v of variants) for (const n of t.get(v)?.keys() ?? []) sizes.add(n);
  const rows: MeasuredFrontierRow[] = [];
  for (const n of [...sizes].sort((a, b) => a - b)) {
    const scores: Record<string, number> = {};
    for (const v of variants) {
      const s = t.get(v)?.get(n);
      if (s && s.size) scores[v] = [...s.values()].reduce((a, b) => a + b, 0) / s.size;
    }
    const ranked = Object.entries(scores).sort((a, b) => b[1] - a[1]);
    if (!ranked.length) continue;
    const best = ranked[0]![0];
    const runnerUp = ranked[1]?.[0] ?? null;
    const d = runnerUp ? pairedDiff(t, best, runnerUp, n, 0.8) : null;
    rows.push({ n, best, runnerUp, advantage: d ? { mean: d.mean, lo: d.lo, hi: d.hi, count: d.count } : null, clear: !!d && d.lo > 0, scores });
  }
  return rows;
}

/**
 * The fitted frontier from nLo to nHi. `fits` give raw scores; `direction` orients them; `nMaxOf` limits pruned
 * variants to their measured range (Infinity for survivors).
 */
export function fittedFrontier(
  fits: ReadonlyMap<string, CurveFit>,
  o: { direction: "up" | "down"; nLo: number; nHi: number; nMaxOf: (v: string) => number; measuredMaxOf: (v: string) => number; steps?: number },
): FittedFrontier {
  const sign = o.direction === "up" ? 1 : -1;
  const at = (v: string, n: number): number => {
    try {
      const m = fits.get(v)!.scoreAt(n).mean;
      return Number.isFinite(m) ? sign * m : -Infinity;
    } catch {
      return -Infinity;
    }
  };
  const leader = (n: number) => {
    let best: string | null = null;
    let score = -Infinity;
    for (const v of fits.keys()) {
      if (n > o.nMaxOf(v) * 1.0001) continue;
      const s = at(v, n);
      if (s > score) [best, score] = [v, s];
    }
    return best === null ? null : { best, score: sign * score };
  };
  const steps = o.steps ?? 80;
  const grid: FittedFrontier["grid"] = [];
  if (!(o.nHi > o.nLo) || !fits.size) return { grid, segments: [], crossovers: [] };
  for (let i = 0; i <= steps; i++) {
    const n = o.nLo * Math.pow(o.nHi / o.nLo, i / steps);
    const l = leader(n);
    if (l) grid.push({ n, ...l });
  }
  const segments: FrontierSegment[] = [];
  const crossovers: Crossover[] = [];
  for (let i = 0; i < grid.length; i++) {
    const g = grid[i]!;
    const cur = segments[segments.length - 1];
    if (cur && cur.variant === g.best) {
      cur.to = g.n;
      continue;
    }
    if (cur) {
      // Bisect in log n between the last grid point of the old leader and this one.
      const a = cur.variant;
      const b = g.best;
      let lo = Math.log(grid[i - 1]!.n);
      let hi = Math.log(g.n);
      for (let k = 0; k < 40; k++) {
        const mid = (lo + hi) / 2;
        const n = Math.exp(mid);
        if (n > o.nMaxOf(a) || at(b, n) >= at(a, n)) hi = mid;
        else lo = mid;
      }
      const n = Math.exp(hi);
      cur.to = n;
      crossovers.push({ n, from: a, to: b, extrapolated: n > Math.min(o.measuredMaxOf(a), o.measuredMaxOf(b)) });
      segments.push({ variant: b, from: n, to: g.n });
    } else segments.push({ variant: g.best, from: g.n, to: g.n });
  }
  return { grid, segments, crossovers };
}

/** "Below ~6,000 samples use width=0.5; above it width=2." (or "From ~1,000 to ~60,000 samples use …" with one leader). */
export function frontierSentence(f: FittedFrontier, label: (v: string) => string, count: (n: number) => string): string | null {
  const s = f.segments;
  if (!s.length) return null;
  if (s.length === 1) return `From ${count(s[0]!.from)} to ${count(s[0]!.to)} samples, ${label(s[0]!.variant)} is best throughout, with no crossover.`;
  const parts: string[] = [`Below ~${count(s[1]!.from)} samples use ${label(s[0]!.variant)}`];
  for (let i = 1; i < s.length - 1; i++) parts.push(`from ~${count(s[i]!.from)} to ~${count(s[i + 1]!.from)} use ${label(s[i]!.variant)}`);
  parts.push(`above ~${count(s[s.length - 1]!.from)} use ${label(s[s.length - 1]!.variant)}`);
  const extrap = f.crossovers.some((c) => c.extrapolated) ? " (a crossover lies beyond the sizes measured, on extrapolated curves)" : "";
  return parts.join("; ") + extrap + ".";
}
