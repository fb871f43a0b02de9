/**
 * Tree-structured Parzen estimator (Bergstra et al. 2011; the univariate form Optuna uses by default). The finished
 * trials are split at the gamma quantile of their values into "good" and "bad"; each parameter gets a Parzen
 * estimator l(x) over the good trials and g(x) over the bad ones; candidates are drawn from l and the one with the
 * largest l(x)/g(x) (the expected-improvement criterion under this model) is proposed. The first trials are random.
 *
 * Pure: the proposal is a function of the space, the history and a seed, so a study that resumes (or proposes
 * several trials at once from the same history with different seeds) gets the same proposals again.
 */
import { rngFor } from "../../rng.js";
import { categoricalParzen, categoricalSample, numericLogPdf, numericParzen, numericSample } from "./parzen.js";
import { fromInternal, internalRange, sampleUniform, toInternal, validateSpace, type Direction, type Params, type SearchSpace, type Trial } from "./space.js";

export interface TpeOptions {
  /** Seed of this proposal; the proposal also depends on the history's length, so one seed serves a whole search. */
  seed?: number;
  direction?: Direction;
  /** Random proposals before the estimators take over (default 10, as Optuna). */
  startupTrials?: number;
  /** Candidates drawn from l(x) per proposal (default 24, as Optuna). */
  candidates?: number;
  /** Number of "good" trials out of n finished ones (default min(ceil(0.1 n), 25), as Optuna). */
  gamma?: (n: number) => number;
  /** Weight of the broad prior component in each estimator (default 1). */
  priorWeight?: number;
}

export const defaultGamma = (n: number): number => Math.min(Math.ceil(0.1 * n), 25);

/** Random search: a uniform draw, seeded by the seed and the trial's index. */
export function suggestRandom(space: SearchSpace, index: number, seed = 1): Params {
  validateSpace(space);
  return sampleUniform(space, rngFor(seed, `random:${index}`));
}

export function suggestTpe(space: SearchSpace, history: readonly Trial[], opts: TpeOptions = {}): Params {
  validateSpace(space);
  const rng = rngFor(opts.seed ?? 1, `tpe:${history.length}`);
  const done = history.filter((t) => Number.isFinite(t.value));
  if (done.length < Math.max(1, opts.startupTrials ?? 10)) return sampleUniform(space, rng);
  const sign = (opts.direction ?? "minimize") === "minimize" ? 1 : -1;
  const sorted = [...done].sort((a, b) => sign * (a.value - b.value));
  const nGood = Math.max(1, Math.min(sorted.length - 1, Math.floor((opts.gamma ?? defaultGamma)(sorted.length))));
  const good = sorted.slice(0, nGood);
  const bad = sorted.slice(nGood);
  const prior = opts.priorWeight ?? 1;
  const out: Params = {};
  // Univariate: each parameter is proposed on its own (the "tree" of conditional parameters is not modelled).
  for (const [name, p] of Object.entries(space)) {
    const nCand = Math.max(1, opts.candidates ?? 24);
    if (p.kind === "categorical") {
      const idx = (ts: Trial[]) => ts.map((t) => p.choices.indexOf(t.params[name]!)).filter((i) => i >= 0);
      const l = categoricalParzen(idx(good), p.choices.length, prior);
      const g = categoricalParzen(idx(bad), p.choices.length, prior);
      out[name] = p.choices[best(nCand, () => categoricalSample(l, rng), (i) => Math.log(l[i]!) - Math.log(g[i]!))]!;
      continue;
    }
    const [lo, hi] = internalRange(p);
    const xs = (ts: Trial[]) => ts.map((t) => t.params[name]).filter((v): v is number => typeof v === "number").map((v) => toInternal(p, v));
    const l = numericParzen(xs(good), lo, hi, prior);
    const g = numericParzen(xs(bad), lo, hi, prior);
    out[name] = fromInternal(p, best(nCand, () => numericSample(l, rng), (x) => numericLogPdf(l, x) - numericLogPdf(g, x)));
  }
  return out;
}

/** The candidate (of n drawn) with the largest score; the first wins ties, so the choice is reproducible. */
function best<T>(n: number, draw: () => T, score: (x: T) => number): T {
  let top = draw();
  let topScore = score(top);
  for (let i = 1; i < n; i++) {
    const x = draw();
    const s = score(x);
    if (s > topScore) {
      top = x;
      topScore = s;
    }
  }
  return top;
}
