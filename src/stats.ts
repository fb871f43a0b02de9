/**
 * Small robust statistics shared by the layers (curve fitting, the audit): quantiles with linear interpolation, and
 * the median with 1.4826·MAD as a standard-deviation estimate that a few outliers do not move.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(values as ArrayLike<number>).filter((v) => Number.isFinite(v)).sort();
  if (a.length === 0) return NaN;
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}

/** Median and 1.4826·MAD (a standard-deviation estimate that a few outliers do not move). */
export function robustScale(values: ArrayLike<number>): { median: number; scale: number } {
  const median = quantile(values, 0.5);
  const dev = Float64Array.from(values as ArrayLike<number>, (v) => Math.abs(v - median));
  return { median, scale: 1.4826 * quantile(dev, 0.5) };
}
