/**
 * Bounded weighted Levenberg-Marquardt for small problems (<= ~6 parameters, <= a few hundred points).
 *
 * Written by hand on purpose: the npm candidates (ml-levenberg-marquardt) take box bounds only by clamping after
 * the step, have no per-point weights and no active-set handling, which stalls fits whose asymptote sits on the
 * metric's bound (e.g. accuracy -> 1). Here, parameters held at a bound by the gradient leave the linear system for
 * that iteration (a simple active set), the step is projected onto the box, and Marquardt's diag(J'WJ) scaling
 * keeps the damping invariant to parameter units.
 */

export interface LmProblem {
  /** Model value at data index i for parameters p. */
  model: (i: number, p: Float64Array) => number;
  y: ArrayLike<number>;
  w: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
}

export interface LmOptions {
  maxIter?: number;
  /** Stop when the relative decrease of the cost is below this. */
  tol?: number;
  lambda0?: number;
}

export interface LmResult {
  p: Float64Array;
  /** Weighted sum of squared residuals. */
  cost: number;
  iterations: number;
  converged: boolean;
}

function clampInto(p: Float64Array, lo: ArrayLike<number>, hi: ArrayLike<number>): void {
  for (let j = 0; j < p.length; j++) {
    if (p[j]! < lo[j]!) p[j] = lo[j]!;
    else if (p[j]! > hi[j]!) p[j] = hi[j]!;
  }
}

export function weightedCost(prob: LmProblem, p: Float64Array): number {
  let s = 0;
  const m = prob.y.length;
  for (let i = 0; i < m; i++) {
    const r = prob.model(i, p) - prob.y[i]!;
    s += prob.w[i]! * r * r;
  }
  return Number.isFinite(s) ? s : Infinity;
}

/** Solves the symmetric positive (semi)definite system A x = b in place by Gaussian elimination with pivoting. */
export function solveSmall(A: Float64Array, b: Float64Array, k: number): Float64Array | undefined {
  const M = new Float64Array(A);
  const x = new Float64Array(b);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r * k + c]!) > Math.abs(M[piv * k + c]!)) piv = r;
    if (Math.abs(M[piv * k + c]!) < 1e-300) return undefined;
    if (piv !== c) {
      for (let j = 0; j < k; j++) {
        const t = M[c * k + j]!;
        M[c * k + j] = M[piv * k + j]!;
        M[piv * k + j] = t;
      }
      const t = x[c]!;
      x[c] = x[piv]!;
      x[piv] = t;
    }
    for (let r = c + 1; r < k; r++) {
      const f = M[r * k + c]! / M[c * k + c]!;
      if (f === 0) continue;
      for (let j = c; j < k; j++) M[r * k + j] = M[r * k + j]! - f * M[c * k + j]!;
      x[r] = x[r]! - f * x[c]!;
    }
  }
  for (let r = k - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let j = r + 1; j < k; j++) s -= M[r * k + j]! * x[j]!;
    x[r] = s / M[r * k + r]!;
  }
  for (let j = 0; j < k; j++) if (!Number.isFinite(x[j]!)) return undefined;
  return x;
}

export function levenbergMarquardt(prob: LmProblem, p0: ArrayLike<number>, opts: LmOptions = {}): LmResult {
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-10;
  const P = p0.length;
  const m = prob.y.length;
  const p = Float64Array.from(p0);
  clampInto(p, prob.lower, prob.upper);
  let cost = weightedCost(prob, p);
  let lambda = opts.lambda0 ?? 1e-3;
  const r = new Float64Array(m);
  const fx = new Float64Array(m);
  const J = new Float64Array(m * P);
  const pt = new Float64Array(P);
  let it = 0;
  let converged = false;
  if (!Number.isFinite(cost)) return { p, cost, iterations: 0, converged: false };
  for (; it < maxIter; it++) {
    // Residuals and forward-difference Jacobian; the step goes inward at an upper bound.
    for (let i = 0; i < m; i++) {
      fx[i] = prob.model(i, p);
      r[i] = fx[i]! - prob.y[i]!;
    }
    for (let j = 0; j < P; j++) {
      const pj = p[j]!;
      let h = 1e-7 * Math.max(Math.abs(pj), 1e-4);
      if (pj + h > prob.upper[j]!) h = -h;
      pt.set(p);
      pt[j] = pj + h;
      for (let i = 0; i < m; i++) {
        const v = (prob.model(i, pt) - fx[i]!) / h;
        J[i * P + j] = Number.isFinite(v) ? v : 0;
      }
    }
    const g = new Float64Array(P);
    const A = new Float64Array(P * P);
    for (let i = 0; i < m; i++) {
      const wi = prob.w[i]!;
      for (let a = 0; a < P; a++) {
        const ja = J[i * P + a]! * wi;
        g[a] = g[a]! + ja * r[i]!;
        for (let b = a; b < P; b++) A[a * P + b] = A[a * P + b]! + ja * J[i * P + b]!;
      }
    }
    for (let a = 0; a < P; a++) for (let b = 0; b < a; b++) A[a * P + b] = A[b * P + a]!;
    // Active set: a parameter on its bound whose descent direction points outside stays fixed this iteration.
    const free: number[] = [];
    for (let j = 0; j < P; j++) {
      const atLo = p[j]! <= prob.lower[j]! && g[j]! > 0;
      const atHi = p[j]! >= prob.upper[j]! && g[j]! < 0;
      if (!atLo && !atHi) free.push(j);
    }
    if (free.length === 0) {
      converged = true;
      break;
    }
    let improved = false;
    for (let tries = 0; tries < 12; tries++) {
      const k = free.length;
      const Ak = new Float64Array(k * k);
      const bk = new Float64Array(k);
      for (let a = 0; a < k; a++) {
        const fa = free[a]!;
        bk[a] = -g[fa]!;
        for (let b = 0; b < k; b++) Ak[a * k + b] = A[fa * P + free[b]!]!;
        const d = A[fa * P + fa]!;
        Ak[a * k + a] = d + lambda * Math.max(d, 1e-12);
      }
      const step = solveSmall(Ak, bk, k);
      if (step) {
        pt.set(p);
        for (let a = 0; a < k; a++) pt[free[a]!] = p[free[a]!]! + step[a]!;
        clampInto(pt, prob.lower, prob.upper);
        const c2 = weightedCost(prob, pt);
        if (c2 < cost) {
          const rel = (cost - c2) / Math.max(cost, 1e-300);
          p.set(pt);
          cost = c2;
          lambda = Math.max(lambda / 3, 1e-12);
          improved = true;
          if (rel < tol) converged = true;
          break;
        }
      }
      lambda *= 4;
      if (lambda > 1e12) break;
    }
    if (!improved) {
      converged = true;
      break;
    }
    if (converged || cost < 1e-30) break;
  }
  (globalThis as any).__lmstats?.(it, P, converged);
  return { p, cost, iterations: it, converged };
}
