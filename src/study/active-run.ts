/**
 * What a worker does with one active-learning trajectory (RunJob.active): the pool's labels are hidden except for
 * the rows "queried" so far. A stratified seed set of `start` rows (the same nested subset a plain Run of that size
 * and seed draws), then rounds: train on the labelled rows (a stratified validation slice of them for early
 * stopping), score on the test split, and let the strategy pick the next `batch` rows of the pool (never the test
 * split: only `split.pool` is offered) until `max` rows are labelled.
 *
 * Protocol, chosen to be honest and simple: every round trains from scratch with the Run's seed (no warm start), so
 * the score at n labels is that of the model a user would train on those n labels, and the random arm (strategy
 * "random", the same seed set and rounds) differs from a strategy only in which rows were labelled. The round's
 * epochs and batch size follow the default recipe for its row count (see roundRecipe) unless the user's recipe fixed
 * them. The acquisition seed is derived from (Run seed, round), so same seed, same queries.
 */
import type { Dataset } from "../data/types.js";
import { defaultRecipe } from "../engine/recipe.js";
import type { ActiveRound, EpochRecord, JsonObject, RunJob, RunResult } from "./run.js";
import { plain, type RunTrainDeps, type TrainedModel } from "./run-train.js";
import { splitValidation } from "./valid-split.js";

/** Label counts of a trajectory: start, start + batch, ..., max (the last step may be shorter), then `beyond`. */
export function labelCounts(a: { start: number; batch: number; max: number; beyond?: number[] }): number[] {
  const out: number[] = [];
  for (let n = a.start; n < a.max; n += a.batch) out.push(n);
  out.push(a.max);
  for (const n of a.beyond ?? []) if (n > out[out.length - 1]!) out.push(n);
  return out;
}

/** Seed of round r's acquisition (a large prime apart, so neighbouring Run seeds do not share draws). */
export function acquireSeed(seed: number, round: number): number {
  return (seed * 1_000_003 + round * 7_919 + 1) % 2_147_483_647;
}

export async function trainTrajectory(
  job: RunJob,
  dataset: Dataset,
  deps: RunTrainDeps,
  opts: { onEpoch?: (e: EpochRecord) => void; signal?: AbortSignal } = {},
): Promise<RunResult> {
  const a = job.active!;
  const t0 = performance.now();
  const data = dataset.tensors;
  const labels = data.task === "classification" ? (data.y as Int32Array) : null;
  const pool = dataset.split.pool;
  const counts = labelCounts(a);
  const most = counts[counts.length - 1]!;
  if (most > pool.length) throw Object.assign(new Error(`the trajectory needs ${most} labelled rows but the pool has ${pool.length}`), { code: "ACTIVE_MAX" });
  const { subsets } = deps.nestedSubsets(pool, labels, [a.start], job.subset.seed);
  let labelled = subsets[0];
  if (!labelled || labelled.length !== a.start) throw Object.assign(new Error(`no seed set of ${a.start} rows could be drawn`), { code: "EMPTY_SUBSET" });
  const order: number[] = Array.from(labelled);
  const rounds: ActiveRound[] = [];
  const seed = Number(job.recipe.seed ?? job.subset.seed);
  let last: { result: Awaited<ReturnType<RunTrainDeps["train"]>>["result"]; test: RunResult["metrics"]["test"]; valid: RunResult["metrics"]["valid"]; train: RunResult["metrics"]["train"]; nTrain: number; nValid: number } | undefined;
  let trainSeconds = 0;
  let steps = 0;
  for (let r = 0; r < counts.length; r++) {
    if (opts.signal?.aborted) throw Object.assign(new Error("cancelled"), { code: "CANCELLED" });
    const split = splitValidation(labelled, labels, job.validFraction, job.subset.seed);
    const rows = split.valid.length ? { train: split.train, valid: split.valid } : { train: split.train };
    const { model, result } = await deps.train(job.spec, data, rows, roundRecipe(job, data.xKind, split.train.length, seed), { signal: opts.signal, ...(r === counts.length - 1 && opts.onEpoch ? { onEpoch: opts.onEpoch } : {}) });
    let acquireSeconds = 0;
    try {
      const test = plain(await model.evaluate(data, dataset.split.test));
      // every metric a study may read exists on every split (as in run-train.ts): the slice is evaluated, not read from the history
      const valid = split.valid.length ? plain(await model.evaluate(data, split.valid)) : null;
      trainSeconds += result.seconds;
      steps += result.steps;
      rounds.push({ n: labelled.length, test, valid, trainSeconds: result.seconds, acquireSeconds: 0, epochs: result.epochs });
      if (r === counts.length - 1) {
        const train = plain(await model.evaluate(data, split.train));
        last = { result, test, valid, train, nTrain: split.train.length, nValid: split.valid.length };
        break;
      }
      const t1 = performance.now();
      const picked = await acquire(model, data, pool, labelled, { strategy: a.strategy, k: counts[r + 1]! - labelled.length, seed: acquireSeed(job.subset.seed, r), ...(a.mcSamples ? { mcSamples: a.mcSamples } : {}) });
      acquireSeconds = (performance.now() - t1) / 1000;
      rounds[rounds.length - 1]!.acquireSeconds = acquireSeconds;
      const next = new Int32Array(labelled.length + picked.length);
      next.set(labelled);
      next.set(picked, labelled.length);
      labelled = next;
      for (const p of picked) order.push(p);
    } finally {
      model.dispose();
    }
  }
  const l = last!;
  return {
    metrics: { test: l.test, valid: l.valid, train: l.train },
    history: l.result.history.map((e) => ({ ...e })),
    seconds: trainSeconds,
    totalSeconds: (performance.now() - t0) / 1000,
    samplesPerSecond: l.result.samplesPerSecond,
    paramCount: l.result.paramCount,
    bestEpoch: l.result.bestEpoch,
    epochs: l.result.epochs,
    steps,
    stoppedEarly: l.result.stoppedEarly,
    nTrain: l.nTrain,
    nValid: l.nValid,
    versions: deps.versions(),
    active: { rounds, labelled: order },
  };
}

/**
 * The round's recipe: the job's (its seed, lr, and the rest), with the default epochs for the round's training rows
 * and the default batch size for them capped at the job's (the default at `max`, halved on a retry), unless the
 * user's recipe fixed them. So a random arm's rounds beyond `max` keep max's batch size and take more steps than a
 * plain Run of their size would: random's curve there is, if anything, trained harder (a conservative reading).
 */
function roundRecipe(job: RunJob, kind: Dataset["tensors"]["xKind"], nTrain: number, seed: number): JsonObject {
  const d = defaultRecipe(kind, nTrain);
  const fixed = new Set(job.active!.fixed ?? []);
  const out: JsonObject = { ...job.recipe, seed };
  if (!fixed.has("batchSize")) out.batchSize = Math.min(d.batchSize!, Number(job.recipe.batchSize ?? d.batchSize));
  if (!fixed.has("epochs") && !fixed.has("steps")) out.epochs = d.epochs;
  return out;
}

async function acquire(model: TrainedModel, data: Dataset["tensors"], pool: Int32Array, labelled: Int32Array, o: { strategy: string; k: number; seed: number; mcSamples?: number }): Promise<Int32Array> {
  if (!model.acquire) throw Object.assign(new Error("this worker cannot acquire rows"), { code: "NO_ACQUIRE" });
  return (await model.acquire(data, pool, labelled, o)).rows;
}
