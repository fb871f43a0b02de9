import type { MetricInfo } from "./types.js";

/**
 * Maps scores to "error space" (e: lower is better, e >= eLo) and back, so the families need only one shape.
 * e = upper - score for a rising metric with an upper bound, score - lower for a falling one with a lower bound;
 * a metric without a bound on its good side is only negated or kept (eLo = -Infinity).
 */
export interface Orientation {
  toE(y: number): number;
  toY(e: number): number;
  eLo: number;
  /** Sign of dy/de: -1 for rising metrics (lower error = higher score), +1 for falling ones. */
  sign: 1 | -1;
}

export function orientation(m: MetricInfo): Orientation {
  if (m.direction === "up") {
    const u = m.upper;
    if (u !== undefined) return { toE: (y) => u - y, toY: (e) => u - e, eLo: 0, sign: -1 };
    return { toE: (y) => -y, toY: (e) => -e, eLo: -Infinity, sign: -1 };
  }
  const l = m.lower;
  if (l !== undefined) return { toE: (y) => y - l, toY: (e) => l + e, eLo: 0, sign: 1 };
  return { toE: (y) => y, toY: (e) => e, eLo: -Infinity, sign: 1 };
}
