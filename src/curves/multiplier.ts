/**
 * Effective data multiplier of a strategy at a target score: n_baseline(target) / n_strategy(target), read off
 * two fitted curves. Its interval comes from pairing the two fits' independent draws (seeded Monte Carlo).
 */
import { FittedCurve, weightedQuantile } from "./forecast.js";
import { rng } from "./random.js";
import type { CurveFit, Interval } from "./types.js";

export interface MultiplierResult extends Interval {
  /**
   * true: both curves reach the target within their intervals; false: the strategy's curve does not reach it;
   * "uncertain" otherwise. A baseline that never reaches the target while the strategy does gives an infinite
   * multiplier (hi or mean = Infinity).
   */
  reachable: boolean | "uncertain";
  baselineSamples: Interval;
  strategySamples: Interval;
}

export function effectiveMultiplier(
  baseline: CurveFit,
  strategy: CurveFit,
  target: number,
  opts: { confidence?: number; seed?: number; draws?: number } = {},
): MultiplierResult {
  if (!(baseline instanceof FittedCurve) || !(strategy instanceof FittedCurve)) {
    throw new TypeError("effectiveMultiplier needs curves made by fitCurve");
  }
  if (baseline.metric.direction !== strategy.metric.direction) {
    throw new TypeError(`the two curves measure different things (${baseline.metric.name} vs ${strategy.metric.name})`);
  }
  const c = opts.confidence ?? 0.8;
  // Both curves read by their fitted families, as the paired multiplier does: the corpus tail (calibration.ts) is a
  // correction of deep-net extrapolations, which would tilt a ratio where one curve extrapolates and the other does not;
  // and their own crossing intervals, without the run noise's reach, as the ratio's draws are.
  const families = (f: FittedCurve): FittedCurve => f.recalibrated({ ...f.calibration, blend: 0, spreadScale: 1, horizonSd: 0, runNoise: 0 });
  const [bf, sf] = [families(baseline), families(strategy)];
  const b = bf.crossingDraws(target);
  const s = sf.crossingDraws(target);
  const bs = bf.samplesFor(target, { confidence: c });
  const ss = sf.samplesFor(target, { confidence: c });
  const u = rng(opts.seed ?? 1);
  const pick = (w: number[]): (() => number) => {
    const cum: number[] = [];
    let t = 0;
    for (const v of w) cum.push((t += v));
    return () => {
      const r = u() * t;
      let lo = 0;
      let hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! < r) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
  };
  const pb = pick(b.w);
  const ps = pick(s.w);
  const draws = opts.draws ?? 4000;
  const ratios: number[] = [];
  for (let i = 0; i < draws; i++) {
    const nb = b.n[pb()]!;
    const ns = s.n[ps()]!;
    // Neither reaches: no information about the ratio; count it as "no gain" (1) only when both are infinite.
    ratios.push(!Number.isFinite(ns) ? (Number.isFinite(nb) ? 0 : 1) : nb / ns);
  }
  const ones = ratios.map(() => 1);
  const mean = Number.isFinite(s.mean) ? b.mean / s.mean : Number.isFinite(b.mean) ? 0 : NaN;
  const lo = weightedQuantile(ratios, ones, (1 - c) / 2);
  const hi = weightedQuantile(ratios, ones, (1 + c) / 2);
  const reachable: boolean | "uncertain" = bs.reachable === true && ss.reachable === true ? true : ss.reachable === false ? false : "uncertain";
  return {
    mean: Number.isNaN(mean) ? weightedQuantile(ratios, ones, 0.5) : Math.min(Math.max(mean, lo), hi),
    lo,
    hi,
    reachable,
    baselineSamples: { mean: bs.mean, lo: bs.lo, hi: bs.hi },
    strategySamples: { mean: ss.mean, lo: ss.lo, hi: ss.hi },
  };
}
