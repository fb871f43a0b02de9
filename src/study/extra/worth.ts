/**
 * What extra rows are worth in the user's own samples: at a size N measured both ways (the same subsets, seeds
 * and test split), the score with the extra rows is read back through the pool-alone curve: the n of yours that
 * scores as well, minus N. Positive: the extra rows act like that many more of yours; zero or negative: they add
 * nothing or hurt.
 *
 * Interval: the with-extra score's uncertainty (a bootstrap over seeds of its mean at N) combined with the
 * pool-alone curve's own (its samples-for interval): the low end is the fit's low n at the bootstrap's worse
 * score, the high end the fit's high n at the better one, so both sources widen it.
 */
import type { CurveFit } from "../../curves/index.js";
import { quantile } from "../../stats.js";
import { rngFor } from "../../rng.js";

export interface WorthPoint {
  n: number;
  alone: number;
  withExtra: number;
  seeds: number;
  /** The with-extra mean read through the pool-alone curve, minus n (no interval: the headline's N has one). */
  worth: number;
}

export interface ExtraWorth {
  /** The size of yours at which the worth is read (the largest measured both ways). */
  n: number;
  mean: number;
  lo: number;
  hi: number;
  points: WorthPoint[];
}

export function extraWorth(
  aloneFit: CurveFit,
  alone: { n: number; score: number; seed: number }[],
  withExtra: { n: number; score: number; seed: number }[],
  direction: "up" | "down",
  seed = 0,
): ExtraWorth | null {
  const sizes = [...new Set(withExtra.map((p) => p.n))].filter((n) => alone.some((p) => p.n === n)).sort((a, b) => a - b);
  if (!sizes.length) return null;
  const nOf = (score: number, end: "mean" | "lo" | "hi") => {
    const s = aloneFit.samplesFor(score);
    return s[end];
  };
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const points: WorthPoint[] = sizes.map((n) => {
    const w = withExtra.filter((p) => p.n === n).map((p) => p.score);
    const a = alone.filter((p) => p.n === n).map((p) => p.score);
    return { n, alone: mean(a), withExtra: mean(w), seeds: w.length, worth: nOf(mean(w), "mean") - n };
  });
  const N = sizes[sizes.length - 1]!;
  const scores = withExtra.filter((p) => p.n === N).map((p) => p.score);
  const rand = rngFor(seed, "extra-worth");
  const boots: number[] = [];
  for (let b = 0; b < 400; b++) boots.push(mean(scores.map(() => scores[Math.floor(rand() * scores.length)]!)));
  const [q10, q90] = [quantile(boots, 0.1), quantile(boots, 0.9)];
  const [worse, better] = direction === "up" ? [q10, q90] : [q90, q10];
  const m = points[points.length - 1]!.worth;
  const lo = Math.min(nOf(worse, "lo") - N, m);
  const hi = Math.max(nOf(better, "hi") - N, m);
  return { n: N, mean: m, lo, hi, points };
}
