/**
 * Parametric learning-curve families, written in "error space": e(n) = how far the score is from perfect
 * (e = upper - score for a rising metric with a known upper bound, score - lower for a falling one), so every
 * family is non-increasing in n and tends to an asymptote e >= eLo. Parameter boxes keep each family monotone
 * and its asymptote inside the metric's range. n enters as x = n / s (s = largest fitted n) so the parameters
 * are well scaled; ilog2 is the exception and uses log(n) itself, as in the LCDB definition.
 *
 * Each family also gives starting points: a grid over its nonlinear parameters with the linear ones solved by
 * weighted least squares (variable projection), which makes the multi-start cheap and robust.
 */
import { solveSmall } from "./lm.js";

export interface FamilyContext {
  /** Scale of n: x = n / s. */
  s: number;
  /** Lowest meaningful error (0 when the metric is bounded on its good side, else -Infinity). */
  eLo: number;
  /** Upper end of the data's error (worst observed, with a margin): the asymptote box's upper side. */
  eHi: number;
  /** Spread of the observed errors, for scaling amplitude boxes. */
  range: number;
}

export interface FitData {
  n: Float64Array;
  e: Float64Array;
  w: Float64Array;
}

export interface Family {
  name: string;
  /** The formula in error space, with x = n / s. */
  formula: string;
  paramNames: string[];
  /** Only meaningful when e >= 0 (the metric has a bound on its good side). */
  needsBound: boolean;
  /** Another family with exactly the same shape (kept for the LCDB family list; shares its weight). */
  aliasOf?: string;
  bounds(ctx: FamilyContext): { lower: number[]; upper: number[] };
  /** Error-space value at raw size n (x = n / ctx.s inside). */
  f(n: number, p: ArrayLike<number>, ctx: FamilyContext): number;
  starts(d: FitData, ctx: FamilyContext): number[][];
  /** Error-space limit as n -> infinity (may be -Infinity before clipping at eLo). */
  limit(p: ArrayLike<number>, ctx: FamilyContext): number;
}

const BIG = 1e6;

/** Weighted linear least squares e ~ sum_k coef_k * cols[k]; returns coefficients and the weighted SSE. */
export function linearFit(cols: Float64Array[], e: Float64Array, w: Float64Array): { coef: Float64Array; sse: number } | undefined {
  const k = cols.length;
  const m = e.length;
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    const wi = w[i]!;
    for (let a = 0; a < k; a++) {
      const ca = cols[a]![i]! * wi;
      b[a] = b[a]! + ca * e[i]!;
      for (let c = 0; c < k; c++) A[a * k + c] = A[a * k + c]! + ca * cols[c]![i]!;
    }
  }
  for (let a = 0; a < k; a++) A[a * k + a] = A[a * k + a]! * (1 + 1e-10) + 1e-14;
  const coef = solveSmall(A, b, k);
  if (!coef) return undefined;
  let sse = 0;
  for (let i = 0; i < m; i++) {
    let v = 0;
    for (let a = 0; a < k; a++) v += coef[a]! * cols[a]![i]!;
    sse += w[i]! * (v - e[i]!) ** 2;
  }
  return { coef, sse };
}

function col(d: FitData, fn: (n: number) => number): Float64Array {
  const c = new Float64Array(d.n.length);
  for (let i = 0; i < c.length; i++) c[i] = fn(d.n[i]!);
  return c;
}

const ONE = (_n: number): number => 1;

function logspace(a: number, b: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(Math.exp(Math.log(a) + ((Math.log(b) - Math.log(a)) * i) / Math.max(1, k - 1)));
  return out;
}

function clampVec(p: number[], lo: number[], hi: number[]): number[] {
  return p.map((v, j) => (Number.isFinite(v) ? Math.min(hi[j]!, Math.max(lo[j]!, v)) : (lo[j]! + hi[j]!) / 2));
}

/** Keeps the `keep` candidate parameter vectors with the smallest projected SSE. */
function best(cands: { p: number[]; sse: number }[], keep: number): number[][] {
  return cands
    .filter((c) => Number.isFinite(c.sse))
    .sort((a, b) => a.sse - b.sse)
    .slice(0, keep)
    .map((c) => c.p);
}

function asymBox(ctx: FamilyContext): [number, number] {
  const lo = Number.isFinite(ctx.eLo) ? ctx.eLo : ctx.eHi - 20 * ctx.range - 1;
  return [lo, ctx.eHi];
}

function ampMax(ctx: FamilyContext): number {
  return Math.max(ctx.range, 1e-9) * BIG;
}

const pow3: Family = {
  name: "pow3",
  formula: "a + b*x^(-c)",
  paramNames: ["a", "b", "c"],
  needsBound: false,
  bounds(ctx) {
    const [lo, hi] = asymBox(ctx);
    return { lower: [lo, 0, 1e-3], upper: [hi, ampMax(ctx), 4] };
  },
  f: (n, p, ctx) => p[0]! + p[1]! * Math.pow(n / ctx.s, -p[2]!),
  limit: (p) => p[0]!,
  starts(d, ctx) {
    const { lower, upper } = this.bounds(ctx);
    const cands = logspace(0.05, 2.5, 12).map((c) => {
      const r = linearFit([col(d, ONE), col(d, (n) => Math.pow(n / ctx.s, -c))], d.e, d.w);
      return { p: clampVec(r ? [r.coef[0]!, r.coef[1]!, c] : [NaN, NaN, c], lower, upper), sse: r?.sse ?? Infinity };
    });
    return best(cands, 3);
  },
};

const pow4: Family = {
  name: "pow4",
  formula: "a + b*(x + d)^(-c)",
  paramNames: ["a", "b", "c", "d"],
  needsBound: false,
  bounds(ctx) {
    const [lo, hi] = asymBox(ctx);
    return { lower: [lo, 0, 1e-3, 0], upper: [hi, ampMax(ctx), 6, 2] };
  },
  f: (n, p, ctx) => p[0]! + p[1]! * Math.pow(n / ctx.s + p[3]!, -p[2]!),
  limit: (p) => p[0]!,
  starts(d, ctx) {
    const { lower, upper } = this.bounds(ctx);
    const xmin = Math.min(...d.n) / ctx.s;
    const cands: { p: number[]; sse: number }[] = [];
    for (const c of logspace(0.1, 3, 8))
      for (const dd of [0, xmin, 4 * xmin, 16 * xmin]) {
        const r = linearFit([col(d, ONE), col(d, (n) => Math.pow(n / ctx.s + dd, -c))], d.e, d.w);
        cands.push({ p: clampVec(r ? [r.coef[0]!, r.coef[1]!, c, dd] : [NaN, NaN, c, dd], lower, upper), sse: r?.sse ?? Infinity });
      }
    return best(cands, 3);
  },
};

const log2: Family = {
  name: "log2",
  formula: "a - b*ln(x)",
  paramNames: ["a", "b"],
  needsBound: false,
  bounds(ctx) {
    const span = 20 * Math.max(ctx.range, 1e-9) + Math.abs(ctx.eHi) + 1;
    return { lower: [-span, 0], upper: [span, ampMax(ctx)] };
  },
  f: (n, p, ctx) => p[0]! - p[1]! * Math.log(n / ctx.s),
  limit: (p) => (p[1]! > 0 ? -Infinity : p[0]!),
  starts(d, ctx) {
    const { lower, upper } = this.bounds(ctx);
    const r = linearFit([col(d, ONE), col(d, (n) => -Math.log(n / ctx.s))], d.e, d.w);
    return [clampVec(r ? [r.coef[0]!, r.coef[1]!] : [ctx.eHi, 0], lower, upper)];
  },
};

function expStarts(fam: Family, d: FitData, ctx: FamilyContext, withE0: boolean): number[][] {
  const { lower, upper } = fam.bounds(ctx);
  const cands = logspace(0.05, 200, 14).map((c) => {
    const r = linearFit([col(d, ONE), col(d, (n) => Math.exp((-c * n) / ctx.s))], d.e, d.w);
    const a = r ? r.coef[0]! : NaN;
    const b = r ? r.coef[1]! : NaN;
    return { p: clampVec(withE0 ? [a, a + b, c] : [a, b, c], lower, upper), sse: r?.sse ?? Infinity };
  });
  return best(cands, 3);
}

const exp3: Family = {
  name: "exp3",
  formula: "a + b*exp(-c*x)",
  paramNames: ["a", "b", "c"],
  needsBound: false,
  bounds(ctx) {
    const [lo, hi] = asymBox(ctx);
    return { lower: [lo, 0, 1e-3], upper: [hi, ampMax(ctx), 1e4] };
  },
  f: (n, p, ctx) => p[0]! + p[1]! * Math.exp((-p[2]! * n) / ctx.s),
  limit: (p) => p[0]!,
  starts(d, ctx) {
    return expStarts(this, d, ctx, false);
  },
};

/** expd3 (LCDB): c - (c - a) * exp(-b x) read in error space; e0 is the error at n = 0. Same shape as exp3. */
const expd3: Family = {
  name: "expd3",
  formula: "a + (e0 - a)*exp(-b*x)",
  paramNames: ["a", "e0", "b"],
  needsBound: false,
  aliasOf: "exp3",
  bounds(ctx) {
    const [lo, hi] = asymBox(ctx);
    return { lower: [lo, lo, 1e-3], upper: [hi, hi + ampMax(ctx), 1e4] };
  },
  // Monotone only when e0 >= a: the max() keeps the shape non-increasing at any box point.
  f: (n, p, ctx) => p[0]! + Math.max(0, p[1]! - p[0]!) * Math.exp((-p[2]! * n) / ctx.s),
  limit: (p) => p[0]!,
  starts(d, ctx) {
    return expStarts(this, d, ctx, true);
  },
};

const vap3: Family = {
  name: "vap3",
  formula: "exp(a + b/x + c*ln(x))",
  paramNames: ["a", "b", "c"],
  needsBound: true,
  bounds() {
    return { lower: [-30, 0, -4], upper: [10, 50, 0] };
  },
  f: (n, p, ctx) => {
    const x = n / ctx.s;
    return Math.exp(p[0]! + p[1]! / x + p[2]! * Math.log(x));
  },
  limit: (p) => (p[2]! < 0 ? 0 : Math.exp(p[0]!)),
  starts(d, ctx) {
    const { lower, upper } = this.bounds(ctx);
    const pos = new Float64Array(d.e.length);
    for (let i = 0; i < pos.length; i++) pos[i] = Math.log(Math.max(d.e[i]!, 1e-6));
    const r = linearFit([col(d, ONE), col(d, (n) => ctx.s / n), col(d, (n) => Math.log(n / ctx.s))], pos, d.w);
    const starts = [clampVec(r ? [r.coef[0]!, r.coef[1]!, r.coef[2]!] : [-1, 0, -0.5], lower, upper)];
    const emin = Math.max(Math.min(...d.e), 1e-6);
    starts.push([Math.log(emin), 0, -0.3], [Math.log(emin), 0.001, -0.1]);
    return starts.map((s) => clampVec(s, lower, upper));
  },
};

const logpower3: Family = {
  name: "logpower3",
  formula: "a / (1 + (x/exp(b))^c)",
  paramNames: ["a", "b", "c"],
  needsBound: true,
  bounds(ctx) {
    return { lower: [0, -25, 1e-3], upper: [Math.max(ctx.eHi, 1e-9) * 1e3, 25, 6] };
  },
  f: (n, p, ctx) => p[0]! / (1 + Math.pow(n / ctx.s / Math.exp(p[1]!), p[2]!)),
  limit: () => 0,
  starts(d, ctx) {
    const { lower, upper } = this.bounds(ctx);
    const cands: { p: number[]; sse: number }[] = [];
    for (const b of [-8, -5, -3, -1.5, 0, 2, 5])
      for (const c of [0.2, 0.5, 1, 2]) {
        const r = linearFit([col(d, (n) => 1 / (1 + Math.pow(n / ctx.s / Math.exp(b), c)))], d.e, d.w);
        cands.push({ p: clampVec([r ? r.coef[0]! : NaN, b, c], lower, upper), sse: r?.sse ?? Infinity });
      }
    return best(cands, 3);
  },
};

/** mmf4 (Morgan-Mercer-Flodin), internally as c + g / (1 + x^d / b) so that a = c + g >= c keeps it monotone. */
const mmf4: Family = {
  name: "mmf4",
  formula: "(a*b + c*x^d) / (b + x^d)",
  paramNames: ["c", "g", "b", "d"],
  needsBound: false,
  bounds(ctx) {
    const [lo, hi] = asymBox(ctx);
    return { lower: [lo, 0, 1e-8, 0.05], upper: [hi, ampMax(ctx), 1e8, 6] };
  },
  f: (n, p, ctx) => p[0]! + p[1]! / (1 + Math.pow(n / ctx.s, p[3]!) / p[2]!),
  limit: (p) => p[0]!,
  starts(d, ctx) {
    const { lower, upper } = this.bounds(ctx);
    const cands: { p: number[]; sse: number }[] = [];
    for (const b of logspace(1e-4, 10, 8))
      for (const dd of [0.3, 0.7, 1.2, 2]) {
        const r = linearFit([col(d, ONE), col(d, (n) => 1 / (1 + Math.pow(n / ctx.s, dd) / b))], d.e, d.w);
        cands.push({ p: clampVec(r ? [r.coef[0]!, r.coef[1]!, b, dd] : [NaN, NaN, b, dd], lower, upper), sse: r?.sse ?? Infinity });
      }
    return best(cands, 3);
  },
};

function weibullStarts(fam: Family, d: FitData, ctx: FamilyContext, logAmp: boolean): number[][] {
  const { lower, upper } = fam.bounds(ctx);
  const cands: { p: number[]; sse: number }[] = [];
  for (const a of logspace(0.05, 300, 10))
    for (const dd of [0.3, 0.6, 1, 1.5]) {
      const r = linearFit([col(d, ONE), col(d, (n) => Math.exp(-a * Math.pow(n / ctx.s, dd)))], d.e, d.w);
      const c = r ? r.coef[0]! : NaN;
      const b = r ? r.coef[1]! : NaN;
      const amp = logAmp ? Math.log(Math.max(b, 1e-12)) : b;
      cands.push({ p: clampVec([c, amp, a, dd], lower, upper), sse: r?.sse ?? Infinity });
    }
  return best(cands, 3);
}

const wbl4: Family = {
  name: "wbl4",
  formula: "c + b*exp(-a*x^d)",
  paramNames: ["c", "b", "a", "d"],
  needsBound: false,
  bounds(ctx) {
    const [lo, hi] = asymBox(ctx);
    return { lower: [lo, 0, 1e-4, 0.05], upper: [hi, ampMax(ctx), 1e4, 5] };
  },
  f: (n, p, ctx) => p[0]! + p[1]! * Math.exp(-p[2]! * Math.pow(n / ctx.s, p[3]!)),
  limit: (p) => p[0]!,
  starts(d, ctx) {
    return weibullStarts(this, d, ctx, false);
  },
};

/** exp4 (LCDB): c - exp(-a x^d + b) read in error space; the same shape as wbl4 with b = ln(amplitude). */
const exp4: Family = {
  name: "exp4",
  formula: "c + exp(b - a*x^d)",
  paramNames: ["c", "b", "a", "d"],
  needsBound: false,
  aliasOf: "wbl4",
  bounds(ctx) {
    const [lo, hi] = asymBox(ctx);
    return { lower: [lo, -40, 1e-4, 0.05], upper: [hi, Math.log(ampMax(ctx)), 1e4, 5] };
  },
  f: (n, p, ctx) => p[0]! + Math.exp(p[1]! - p[2]! * Math.pow(n / ctx.s, p[3]!)),
  limit: (p) => p[0]!,
  starts(d, ctx) {
    return weibullStarts(this, d, ctx, true);
  },
};

const ilog2: Family = {
  name: "ilog2",
  formula: "b + a/ln(n)",
  paramNames: ["b", "a"],
  needsBound: false,
  bounds(ctx) {
    const [lo, hi] = asymBox(ctx);
    return { lower: [lo - 20 * Math.max(ctx.range, 1e-9), 0], upper: [hi, ampMax(ctx)] };
  },
  f: (n, p) => p[0]! + p[1]! / Math.log(Math.max(n, 1.5)),
  limit: (p) => p[0]!,
  starts(d, ctx) {
    const { lower, upper } = this.bounds(ctx);
    const r = linearFit([col(d, ONE), col(d, (n) => 1 / Math.log(Math.max(n, 1.5)))], d.e, d.w);
    return [clampVec(r ? [r.coef[0]!, r.coef[1]!] : [ctx.eHi, 0], lower, upper)];
  },
};

/** Every fitted family, in the order they are reported. `last1` (the baseline) is handled separately. */
export const FAMILIES: readonly Family[] = [pow3, pow4, log2, exp3, expd3, vap3, logpower3, mmf4, wbl4, exp4, ilog2];

export const FAMILY_NAMES: readonly string[] = [...FAMILIES.map((f) => f.name), "plateau", "last1"];

export function getFamily(name: string): Family | undefined {
  return FAMILIES.find((f) => f.name === name);
}
