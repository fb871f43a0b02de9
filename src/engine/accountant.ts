/**
 * Rényi-DP accountant for the sampled Gaussian mechanism (DP-SGD with Poisson sampling): Mironov, Talwar and Zhang,
 * "Rényi Differential Privacy of the Sampled Gaussian Mechanism" (2019), computed as Opacus' `rdp` accountant and
 * TensorFlow Privacy's `compute_rdp` do: integer orders by the binomial expansion of A_alpha (their eq. for integer
 * alpha), fractional orders by the two-sided series with erfc tails (their Section 3.3), all in log space.
 *
 * Conversion to (epsilon, delta): the improved bound of Balle, Barthe, Gaboardi, Hsu and Sato, "Hypothesis testing
 * interpretations and Renyi differential privacy" (AISTATS 2020, Theorem 21), the one Opacus' `get_privacy_spent`
 * and TF Privacy's current `compute_dp_sgd_privacy` use:
 *   eps = rdp(a) + log((a - 1) / a) - (log(delta) + log(a)) / (a - 1),
 * minimised over the orders. `classicEpsilon` is Mironov's 2017 conversion eps = rdp(a) + log(1 / delta) / (a - 1)
 * (older TF Privacy and Abadi et al.-era numbers).
 *
 * Pure TypeScript, no dependencies. Adjacency is add/remove-one (the Poisson-sampling analysis).
 */

/** Opacus' DEFAULT_ALPHAS: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63. */
export const DEFAULT_ORDERS: readonly number[] = [...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10), ...Array.from({ length: 52 }, (_, i) => 12 + i)];

function logAdd(x: number, y: number): number {
  const a = Math.min(x, y);
  const b = Math.max(x, y);
  if (a === -Infinity) return b;
  return Math.log1p(Math.exp(a - b)) + b;
}

/** log(exp(x) - exp(y)) for x >= y. */
function logSub(x: number, y: number): number {
  if (y === -Infinity) return x;
  if (x <= y) return -Infinity; // x == y (or rounding past it): the difference is 0
  const d = x - y;
  return d > 700 ? x : Math.log(Math.expm1(d)) + y;
}

/**
 * log(erfc(z)), accurate in the far tails: for |z| small a positively-termed series of erf, for z >= 2 the
 * continued fraction of erfc (evaluated in log space, so erfc(40) = 1e-697 is fine), for z < 0 via 2 - erfc(-z).
 */
export function logErfc(z: number): number {
  if (z < 0) return Math.log(2 - Math.exp(logErfc(-z)));
  if (z < 2) {
    // erf(z) = 2/sqrt(pi) exp(-z^2) sum_n (2z^2)^n z / (2n+1)!!  (all terms positive)
    let term = z;
    let sum = z;
    const z2 = 2 * z * z;
    for (let n = 1; n < 200; n++) {
      term *= z2 / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const erf = (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
    return Math.log1p(-erf);
  }
  // erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))) by modified Lentz.
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = z + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = z + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -z * z - 0.5 * Math.log(Math.PI) - Math.log(f);
}

function logAInt(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  let logBinom = 0; // log C(alpha, i)
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log((alpha - i + 1) / i);
    const s = logBinom + i * lq + (alpha - i) * l1q + (i * i - i) / (2 * sigma * sigma);
    logA = logAdd(logA, s);
  }
  return logA;
}

function logAFrac(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  let logAbsCoef = 0; // log |C(alpha, i)|
  let positive = true;
  for (let i = 0; ; i++) {
    if (i > 0) {
      const r = (alpha - i + 1) / i;
      logAbsCoef += Math.log(Math.abs(r));
      if (r < 0) positive = !positive;
    }
    const j = alpha - i;
    const logT0 = logAbsCoef + i * lq + j * l1q;
    const logT1 = logAbsCoef + j * lq + i * l1q;
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (positive) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30 || i > 100000) break;
  }
  return logAdd(logA0, logA1);
}

/** log A_alpha of the sampled Gaussian mechanism (exported for tests). */
export function logA(q: number, sigma: number, alpha: number): number {
  return Number.isInteger(alpha) ? logAInt(q, sigma, alpha) : logAFrac(q, sigma, alpha);
}

/** RDP of one step of the sampled Gaussian mechanism at order alpha (sampling rate q, noise multiplier sigma). */
export function rdpStep(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (alpha === Infinity) return Infinity;
  return logA(q, sigma, alpha) / (alpha - 1);
}

/** RDP after `steps` compositions, at each order. */
export function computeRdp(q: number, sigma: number, steps: number, orders: readonly number[] = DEFAULT_ORDERS): number[] {
  checkQ(q);
  if (!(sigma >= 0)) throw new RangeError(`noise multiplier must be >= 0, got ${sigma}`);
  if (!(steps >= 0)) throw new RangeError(`steps must be >= 0, got ${steps}`);
  return orders.map((a) => {
    if (!(a > 1)) throw new RangeError(`RDP orders must be > 1, got ${a}`);
    return steps === 0 ? 0 : rdpStep(q, sigma, a) * steps;
  });
}

export interface PrivacySpent {
  epsilon: number;
  /** The order that gave the smallest epsilon. */
  order: number;
}

function minOver(orders: readonly number[], rdp: readonly number[], f: (a: number, r: number) => number): PrivacySpent {
  if (orders.length !== rdp.length) throw new RangeError("orders and rdp differ in length");
  let best: PrivacySpent = { epsilon: Infinity, order: NaN };
  orders.forEach((a, i) => {
    const e = f(a, rdp[i]!);
    if (e < best.epsilon) best = { epsilon: e, order: a };
  });
  return best;
}

function checkDelta(delta: number): void {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
}
function checkQ(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sampling rate must be in [0, 1], got ${q}`);
}

/** Epsilon at `delta` from RDP values: the improved conversion (Balle et al. 2020, as Opacus). */
export function rdpToEpsilon(orders: readonly number[], rdp: readonly number[], delta: number): PrivacySpent {
  checkDelta(delta);
  const ld = Math.log(delta);
  const r = minOver(orders, rdp, (a, v) => v + Math.log((a - 1) / a) - (ld + Math.log(a)) / (a - 1));
  return { epsilon: Math.max(0, r.epsilon), order: r.order };
}

/** Epsilon at `delta` by Mironov's (2017) classic conversion, eps = rdp + log(1/delta)/(alpha - 1). */
export function classicEpsilon(orders: readonly number[], rdp: readonly number[], delta: number): PrivacySpent {
  checkDelta(delta);
  const ld = Math.log(delta);
  return minOver(orders, rdp, (a, v) => v - ld / (a - 1));
}

/** (epsilon, delta) of DP-SGD: `steps` steps at sampling rate q with noise multiplier sigma (improved conversion). */
export function dpSgdEpsilon(p: { sampleRate: number; noiseMultiplier: number; steps: number; delta: number; orders?: readonly number[] }): PrivacySpent {
  const orders = p.orders ?? DEFAULT_ORDERS;
  return rdpToEpsilon(orders, computeRdp(p.sampleRate, p.noiseMultiplier, p.steps, orders), p.delta);
}

/**
 * The smallest noise multiplier whose DP-SGD run (q, steps) spends at most `epsilon` at `delta`, by bisection on
 * sigma (epsilon decreases in sigma) to a relative tolerance of `tol` on sigma (default 1e-4). Throws RangeError when
 * even sigma = 1e4 does not reach the target: the conversion has a floor that depends on delta and the largest order
 * (about 0.1 at delta 1e-5 with DEFAULT_ORDERS), so very small epsilons need larger orders.
 */
export function calibrateNoise(p: { epsilon: number; delta: number; sampleRate: number; steps: number; orders?: readonly number[]; tol?: number }): number {
  if (!(p.epsilon > 0)) throw new RangeError(`target epsilon must be > 0, got ${p.epsilon}`);
  checkDelta(p.delta);
  checkQ(p.sampleRate);
  const eps = (sigma: number) => dpSgdEpsilon({ sampleRate: p.sampleRate, noiseMultiplier: sigma, steps: p.steps, delta: p.delta, orders: p.orders }).epsilon;
  let lo = 0;
  let hi = 1;
  while (eps(hi) > p.epsilon) {
    lo = hi;
    hi *= 2;
    if (hi > 1e4) throw new RangeError(`no noise multiplier up to 1e4 reaches epsilon ${p.epsilon} at delta ${p.delta} (q ${p.sampleRate}, ${p.steps} steps)`);
  }
  const tol = p.tol ?? 1e-4;
  while (hi - lo > tol * hi) {
    const mid = (lo + hi) / 2;
    if (eps(mid) > p.epsilon) lo = mid;
    else hi = mid;
  }
  return hi;
}
