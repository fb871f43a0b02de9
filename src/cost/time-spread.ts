/**
 * Seconds per Run at n with a spread: the planner's time model gives a point prediction; the measured Runs scatter
 * around it (other work on the machine, early stopping at different epochs). The spread is the 10% and 90%
 * quantiles of the Runs' log ratio to the model, so an 80% band like every other interval enough reports.
 */
import type { Interval } from "../curves/index.js";
import { quantile } from "../stats.js";

export function timeWithSpread(obs: readonly { n: number; seconds: number }[], predict: (n: number) => number): (n: number) => Interval {
  const logs = obs.filter((o) => o.n > 0 && o.seconds > 0 && predict(o.n) > 0).map((o) => Math.log(o.seconds / predict(o.n)));
  // With fewer than 3 Runs the scatter says little: no spread rather than a made-up one.
  const lo = logs.length >= 3 ? Math.min(0, quantile(logs, 0.1)) : 0;
  const hi = logs.length >= 3 ? Math.max(0, quantile(logs, 0.9)) : 0;
  return (n) => {
    const s = predict(n);
    return { mean: s, lo: s * Math.exp(lo), hi: s * Math.exp(hi) };
  };
}
