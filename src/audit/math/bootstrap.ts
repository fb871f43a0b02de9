/** Percentile bootstrap of per-group rates and of the gap between the best and the worst group. */
import type { Rng } from "../../rng.js";

export interface RateInterval {
  value: number;
  lo: number;
  hi: number;
}

/**
 * Bootstrap (resampling rows within each group) of a rate per group: hits[g] / trials[g], given per-row 0/1
 * outcomes grouped by `group`. Returns per-group intervals and the interval of (max - min) and (min / max).
 */
export function bootstrapRates(outcome: Uint8Array, group: Int32Array, G: number, rng: Rng, reps = 400, conf = 0.9): { rates: RateInterval[]; gap: RateInterval; ratio: RateInterval } {
  const rows: number[][] = Array.from({ length: G }, () => []);
  for (let i = 0; i < outcome.length; i++) if (group[i]! >= 0) rows[group[i]!]!.push(outcome[i]!);
  const point = rows.map((r) => (r.length ? r.reduce((a, b) => a + b, 0) / r.length : NaN));
  const samples = rows.map(() => new Float64Array(reps));
  const gaps = new Float64Array(reps);
  const ratios = new Float64Array(reps);
  for (let b = 0; b < reps; b++) {
    let mx = -Infinity;
    let mn = Infinity;
    for (let g = 0; g < G; g++) {
      const r = rows[g]!;
      if (r.length === 0) {
        samples[g]![b] = NaN;
        continue;
      }
      let s = 0;
      for (let t = 0; t < r.length; t++) s += r[Math.floor(rng() * r.length)]!;
      const v = s / r.length;
      samples[g]![b] = v;
      if (v > mx) mx = v;
      if (v < mn) mn = v;
    }
    gaps[b] = mx - mn;
    ratios[b] = mx > 0 ? mn / mx : 1;
  }
  // The lower order statistic at p, not stats.ts's interpolated quantile: a different definition, and switching
  // would move every printed bias interval (issue 13.6 left it as it is on purpose).
  const q = (a: Float64Array, p: number) => {
    const s = a.filter(Number.isFinite).sort();
    if (s.length === 0) return NaN;
    return s[Math.min(s.length - 1, Math.max(0, Math.floor(p * (s.length - 1))))]!;
  };
  const lo = (1 - conf) / 2;
  const fin = point.filter(Number.isFinite);
  const pmx = Math.max(...fin);
  const pmn = Math.min(...fin);
  return {
    rates: point.map((v, g) => ({ value: v, lo: q(samples[g]!, lo), hi: q(samples[g]!, 1 - lo) })),
    gap: { value: pmx - pmn, lo: q(gaps, lo), hi: q(gaps, 1 - lo) },
    ratio: { value: pmx > 0 ? pmn / pmx : 1, lo: q(ratios, lo), hi: q(ratios, 1 - lo) },
  };
}
