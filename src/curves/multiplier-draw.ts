/**
 * One draw of a fitted curve for the paired multiplier: the full fit's weighted families refitted (warm-started, as
 * the fit's own bootstrap does) to perturbed points, keeping the full fit's family weights. Refitting only the
 * weighted families, not re-running the whole selection, is what makes a few hundred paired draws affordable after
 * every Run. Also the inverse: the size at which a draw reaches an error level, with the range it was read in.
 */
import type { FitData } from "./families.js";
import { constantLevel, keptGain, meanAt, type FitState } from "./fit.js";
import { evalFamily, fitFamily } from "./fitfamily.js";

/** How far below its smallest measured size a curve is read (a short extrapolation down; beyond it, a bound). */
export const DOWN_FACTOR = 4;
const N_LIMIT = 1e12;
const BISECT_STEPS = 48;

export interface CurveDraw {
  /** Error-space value at n; beyond the largest size, extrapolated the way the fit does (recent slope, stacking). */
  e(n: number): number;
  nMin: number;
  nMax: number;
}

/** Where a draw reaches an error level: a size, or a bound when the level lies outside the range it may be read in. */
export interface SizeReading {
  n: number;
  /** "above": the level is better than the draw at nMax (n is then nMax, a lower bound); "below": worse than at
   * nMin / DOWN_FACTOR (n is then that size, an upper bound). */
  censored?: "above" | "below";
  /** Read below nMin, or beyond nMax (only when asked to extrapolate up). */
  extrapolated: boolean;
}

/**
 * The draw of a fit at its own parameters (no refit), or refitted to error-space values `e` aligned with its data.
 * `weights` (by family name) replaces the fit's own combination weights.
 */
export function curveDraw(st: FitState, e?: Float64Array, weights?: ReadonlyMap<string, number>): CurveDraw {
  const { prep } = st;
  const d: FitData = e ? { n: prep.data.n, e, w: prep.data.w } : prep.data;
  const parts: { w: number; at: (n: number) => number }[] = [];
  for (const m of st.members) {
    const w = weights ? weights.get(m.name) ?? 0 : m.weight;
    if (!(w > 0)) continue;
    if (m.fam && m.fit) {
      const p = e ? fitFamily(m.fam, d, m.fit.ctx, { warm: m.fit.p, maxIter: 15, tol: 1e-6 }).p : m.fit.p;
      const fam = m.fam;
      const ctx = m.fit.ctx;
      parts.push({ w, at: (n) => evalFamily(fam, p, ctx, n) });
    } else {
      const c = e ? constantLevel(m.name, d, prep.nMax) : m.constant!;
      parts.push({ w, at: () => c });
    }
  }
  const fitted = (n: number): number => parts.reduce((s, p) => s + p.w * p.at(n), 0);
  const nMax = prep.nMax;
  const e0 = fitted(nMax);
  const level = e ? meanAt(d, nMax) : st.level;
  return {
    nMin: prep.agg[0]!.n,
    nMax,
    // The same extrapolation as FittedCurve's point forecast: the gain beyond nMax shrunk by its signal-to-noise ratio,
    // scaled by the recent-slope share and stacked with the last observed level.
    e: (n) => (n <= nMax ? fitted(n) : (1 - st.lam) * (e0 + st.kappa * keptGain(fitted(n) - e0, st.gainNoiseVar)) + st.lam * level),
  };
}

/** n in [a, b] where the non-increasing f first reaches eT (f(a) > eT >= f(b)), by bisection in log n. */
function bisect(f: (n: number) => number, eT: number, a: number, b: number): number {
  let lo = Math.log(a);
  let hi = Math.log(b);
  for (let i = 0; i < BISECT_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (f(Math.exp(mid)) <= eT) hi = mid;
    else lo = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * The size at which a draw reaches error eT. Within [nMin, nMax] it is read off the curve; down to nMin / DOWN_FACTOR
 * it is extrapolated; beyond that, or beyond nMax unless `up`, it is a bound (the data do not show that level).
 * With `up`, a level the draw never reaches gives Infinity.
 */
export function sizeAt(draw: CurveDraw, eT: number, up = false): SizeReading {
  const { nMin, nMax } = draw;
  const eMin = draw.e(nMin);
  if (eT >= eMin) {
    if (eT === eMin) return { n: nMin, extrapolated: false };
    const floor = nMin / DOWN_FACTOR;
    if (eT > draw.e(floor)) return { n: floor, censored: "below", extrapolated: true };
    return { n: bisect(draw.e, eT, floor, nMin), extrapolated: true };
  }
  if (eT >= draw.e(nMax)) return { n: bisect(draw.e, eT, nMin, nMax), extrapolated: false };
  if (!up) return { n: nMax, censored: "above", extrapolated: false };
  if (draw.e(N_LIMIT) > eT) return { n: Infinity, extrapolated: true };
  return { n: bisect(draw.e, eT, nMax, N_LIMIT), extrapolated: true };
}
