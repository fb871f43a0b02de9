import type { CurvePoint } from "./types.js";

export interface AggregatedPoint {
  n: number;
  mean: number;
  /** Sample standard deviation across seeds (0 with one seed). */
  sd: number;
  count: number;
}

/** Mean, spread and count of the score at each distinct n, sorted by n. */
export function aggregatePoints(points: readonly CurvePoint[]): AggregatedPoint[] {
  const by = new Map<number, number[]>();
  for (const p of points) {
    const arr = by.get(p.n);
    if (arr) arr.push(p.score);
    else by.set(p.n, [p.score]);
  }
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, v]) => {
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1)) : 0;
      return { n, mean, sd, count: v.length };
    });
}
