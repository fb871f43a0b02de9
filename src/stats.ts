/**
 * Small statistics shared by the layers (curve fitting, the audit, comparisons): quantiles with linear interpolation,
 * the median with 1.4826·MAD as a standard-deviation estimate that a few outliers do not move, and the normal and
 * Student-t quantiles.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  // A typed sort puts -Infinity first and +Infinity, then NaN, last: the finite values are one slice of it (no
  // per-element filter callback: the audit takes quantiles of every column of wide tables).
  const a = Float64Array.from(values as ArrayLike<number>).sort();
  let start = 0;
  let end = a.length;
  while (start < end && a[start] === -Infinity) start++;
  while (end > start && !Number.isFinite(a[end - 1]!)) end--;
  if (end === start) return NaN;
  const pos = (end - start - 1) * q;
  const lo = start + Math.floor(pos);
  const hi = start + Math.ceil(pos);
  return a[lo]! + (a[hi]! - a[lo]!) * (start + pos - lo);
}

/** Median and 1.4826·MAD (a standard-deviation estimate that a few outliers do not move). */
export function robustScale(values: ArrayLike<number>): { median: number; scale: number } {
  const median = quantile(values, 0.5);
  const dev = Float64Array.from(values as ArrayLike<number>, (v) => Math.abs(v - median));
  return { median, scale: 1.4826 * quantile(dev, 0.5) };
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

/** Standard normal CDF, through erfc by Numerical Recipes' erfcc (a Chebyshev fit; relative error < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}
