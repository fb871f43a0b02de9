/**
 * Successive halving (Jamieson & Talwalkar 2016; the inner loop of Hyperband): every arm (a configuration) is trained
 * for the smallest epoch budget, the best 1/eta of them go on to eta times the budget, and so on up to the largest
 * budget. Most of the compute goes to the few arms that look best early, which is what makes a search over many
 * architectures affordable at every subset size. The caller's `evaluate` trains and scores on the validation slice.
 */
import type { Direction } from "./space.js";

export interface HalvingOptions {
  minEpochs: number;
  maxEpochs: number;
  /** Keep the top 1/eta of the arms at each rung and multiply the budget by eta (default 3). */
  eta?: number;
  direction?: Direction;
}

export interface Rung {
  epochs: number;
  /** Index (into the arms given) and value of every arm evaluated at this rung, in the order given. */
  results: { arm: number; value: number }[];
  /** Arms promoted to the next rung (the last rung's first entry is the winner), best first. */
  kept: number[];
}

export interface HalvingResult<A> {
  best: A;
  bestIndex: number;
  bestValue: number;
  rungs: Rung[];
}

/** The epoch budgets of the rungs: minEpochs * eta^k, the last one capped at (and always equal to) maxEpochs. */
export function halvingRungs(minEpochs: number, maxEpochs: number, eta = 3): number[] {
  if (!(minEpochs >= 1 && maxEpochs >= minEpochs)) throw new RangeError(`need 1 <= minEpochs <= maxEpochs, got ${minEpochs} and ${maxEpochs}`);
  if (!(eta > 1)) throw new RangeError(`eta must be above 1, got ${eta}`);
  const out: number[] = [];
  for (let e = minEpochs; e < maxEpochs; e *= eta) out.push(Math.round(e));
  out.push(maxEpochs);
  return out;
}

export async function successiveHalving<A>(
  arms: readonly A[],
  evaluate: (arm: A, epochs: number, rung: number) => number | Promise<number>,
  opts: HalvingOptions,
): Promise<HalvingResult<A>> {
  if (arms.length === 0) throw new RangeError("successive halving needs at least one arm");
  const eta = opts.eta ?? 3;
  const sign = (opts.direction ?? "minimize") === "minimize" ? 1 : -1;
  const budgets = halvingRungs(opts.minEpochs, opts.maxEpochs, eta);
  let alive = arms.map((_, i) => i);
  const rungs: Rung[] = [];
  for (let r = 0; r < budgets.length; r++) {
    const results: { arm: number; value: number }[] = [];
    // One at a time: evaluations are trainings that already use the machine's cores.
    for (const i of alive) results.push({ arm: i, value: await evaluate(arms[i]!, budgets[r]!, r) });
    // A failed evaluation (NaN) ranks last; ties keep the order given, so the outcome is reproducible.
    const ranked = [...results].sort((a, b) => score(a.value, sign) - score(b.value, sign) || a.arm - b.arm).map((x) => x.arm);
    const last = r === budgets.length - 1 || alive.length === 1;
    const kept = last ? ranked : ranked.slice(0, Math.max(1, Math.floor(alive.length / eta)));
    rungs.push({ epochs: budgets[r]!, results, kept });
    alive = kept;
    if (last) break;
  }
  const final = rungs[rungs.length - 1]!;
  const bestIndex = final.kept[0]!;
  return { best: arms[bestIndex]!, bestIndex, bestValue: final.results.find((x) => x.arm === bestIndex)!.value, rungs };
}

function score(v: number, sign: number): number {
  return Number.isNaN(v) ? Infinity : sign * v;
}
