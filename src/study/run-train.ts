/**
 * What a worker does with one Run: recompute the subset (nested, stratified, seeded), hold out the validation
 * slice, train, and evaluate on the test split, the validation slice and the training rows. The engine and data
 * functions come in as parameters so that this stays testable and the worker decides how to load them.
 */
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Dataset } from "../data/types.js";
import type { Tensors } from "../engine/types.js";
import type { EpochRecord, EvalMetrics, JsonObject, RunJob, RunResult } from "./run.js";
import { sampleRows, splitValidation } from "./valid-split.js";

export interface TrainedModel {
  evaluate(data: Tensors, rows?: Int32Array): Promise<EvalMetrics>;
  /** Model.save(); needed only by pretraining jobs (RunJob.save). */
  save?(dir: string): Promise<void>;
  /** Model.acquire(); needed only by active-learning trajectories (RunJob.active). */
  acquire?(data: Tensors, pool: Int32Array, labelled: Int32Array | null, opts: { strategy: string; k: number; seed: number; mcSamples?: number }): Promise<{ rows: Int32Array; scores: Float32Array }>;
  dispose(): void;
}

export interface RunTrainDeps {
  nestedSubsets(pool: Int32Array, labels: Int32Array | null, sizes: number[], seed: number): { subsets: Int32Array[]; warnings: string[] };
  train(
    spec: JsonObject,
    data: Tensors,
    rows: { train: Int32Array; valid?: Int32Array },
    recipe: JsonObject,
    opts: { onEpoch?: (e: EpochRecord) => void; signal?: AbortSignal },
  ): Promise<{
    model: TrainedModel;
    result: { history: EpochRecord[]; bestEpoch: number; epochs: number; steps: number; seconds: number; samplesPerSecond: number; stoppedEarly: boolean; paramCount: number; privacy?: RunResult["privacy"] };
  }>;
  versions(): Record<string, string>;
  /** Averages trained members' predictions (the engine's Ensemble); needed only for ensemble Runs. */
  ensemble?(members: TrainedModel[]): TrainedModel;
}

/** The training rows followed by the dataset's last `extra` rows (an extra data set appended after the user's). */
export function withExtraRows(train: Int32Array, n: number, extra: number): Int32Array {
  if (!(extra > 0 && extra <= n)) throw Object.assign(new Error(`the dataset has ${n} rows, fewer than the ${extra} extra rows the job names`), { code: "EXTRA_ROWS" });
  const out = new Int32Array(train.length + extra);
  out.set(train);
  for (let j = 0; j < extra; j++) out[train.length + j] = n - extra + j;
  return out;
}

/**
 * Seed of ensemble member j: member 0 is the plain Run's model (same seed), the others are offset by a large prime so
 * that members of neighbouring Run seeds do not coincide.
 */
export function memberSeed(seed: number, j: number): number {
  return (seed + j * 1_000_003) % 2_147_483_647;
}

/**
 * Default cap on training rows re-evaluated for the train score: the gap is read against a 0.05 threshold, and
 * 2,000 rows give it a standard error under 0.011, for a pass that costs little next to the test evaluation.
 */
export const TRAIN_EVAL_CAP = 2_000;

export async function trainRun(
  job: RunJob,
  dataset: Dataset,
  deps: RunTrainDeps,
  opts: { onEpoch?: (e: EpochRecord) => void; signal?: AbortSignal } = {},
): Promise<RunResult> {
  const t0 = performance.now();
  const data = dataset.tensors;
  const labels = data.task === "classification" ? (data.y as Int32Array) : null;
  // Computed for this size alone, so the Run depends on (size, seed) only, whatever else the study measures.
  const { subsets } = deps.nestedSubsets(dataset.split.pool, labels, [job.subset.size], job.subset.seed);
  const subset = subsets[0];
  if (!subset || subset.length === 0) throw Object.assign(new Error(`no subset of size ${job.subset.size} could be drawn`), { code: "EMPTY_SUBSET" });
  const split = splitValidation(subset, labels, job.validFraction, job.subset.seed);
  const valid = split.valid;
  const train = job.extra ? withExtraRows(split.train, data.n, job.extra.rows) : split.train;
  const rows = valid.length ? { train, valid } : { train };
  const { model, result } = job.ensemble && job.ensemble.k > 1 ? await trainMembers(job, data, rows, deps, opts) : await deps.train(job.spec, data, rows, job.recipe, opts);
  try {
    const test = await model.evaluate(data, dataset.split.test);
    const validM = valid.length ? validFromHistory(result.history, result.bestEpoch, job.recipe, data.task, valid.length) ?? (await model.evaluate(data, valid)) : null;
    const trainM = await model.evaluate(data, sampleRows(train, job.trainEvalCap ?? TRAIN_EVAL_CAP, job.subset.seed));
    if (job.save !== undefined) await saveArtifact(model, job.save);
    return {
      metrics: { test: plain(test), valid: validM ? plain(validM) : null, train: plain(trainM) },
      history: result.history.map((e) => ({ ...e })),
      seconds: result.seconds,
      totalSeconds: (performance.now() - t0) / 1000,
      samplesPerSecond: result.samplesPerSecond,
      paramCount: result.paramCount,
      bestEpoch: result.bestEpoch,
      epochs: result.epochs,
      steps: result.steps,
      stoppedEarly: result.stoppedEarly,
      nTrain: train.length,
      nValid: valid.length,
      versions: deps.versions(),
      ...(result.privacy ? { privacy: { ...result.privacy } } : {}),
    };
  } finally {
    model.dispose();
  }
}

/**
 * A pretraining job's model, saved whole or not at all: into a temporary sibling folder, then renamed, so a crash
 * or a second writer never leaves a half-written artifact that a later study would take for a finished one.
 */
async function saveArtifact(model: TrainedModel, dir: string): Promise<void> {
  if (!model.save) throw Object.assign(new Error("this worker cannot save models"), { code: "NO_SAVE" });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await model.save(tmp);
  try {
    await rename(tmp, dir);
  } catch (err) {
    // Another process finished the same artifact first (same key, same inputs): keep theirs.
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, "model.json"))) throw err;
  }
}

/**
 * An ensemble Run's training: k members one after another on the same rows (each already uses the Run's threads),
 * then one model that averages them. The figures the result keeps are member 0's history and epochs, and the
 * members' summed seconds and steps (the compute the ensemble cost).
 */
async function trainMembers(
  job: RunJob,
  data: Tensors,
  rows: { train: Int32Array; valid?: Int32Array },
  deps: RunTrainDeps,
  opts: { onEpoch?: (e: EpochRecord) => void; signal?: AbortSignal },
): ReturnType<RunTrainDeps["train"]> {
  if (!deps.ensemble) throw Object.assign(new Error("this worker cannot average ensemble members"), { code: "NO_ENSEMBLE" });
  const members: TrainedModel[] = [];
  let first: Awaited<ReturnType<RunTrainDeps["train"]>>["result"] | undefined;
  let seconds = 0;
  let steps = 0;
  let params = 0;
  try {
    for (let j = 0; j < job.ensemble!.k; j++) {
      const seed = memberSeed(Number(job.recipe.seed ?? job.subset.seed), j);
      const { model, result } = await deps.train(job.spec, data, rows, { ...job.recipe, seed }, j === 0 ? opts : { signal: opts.signal });
      members.push(model);
      first ??= result;
      seconds += result.seconds;
      steps += result.steps;
      params += result.paramCount;
    }
  } catch (err) {
    for (const m of members) m.dispose();
    throw err;
  }
  const r = first!;
  // The history's validation figures are member 0's, not the ensemble's: drop them so the slice is re-evaluated.
  const history = r.history.map((e) => ({ ...e, validLoss: undefined, validMetric: undefined }));
  return {
    model: deps.ensemble(members),
    result: { ...r, history, seconds, steps, paramCount: params, samplesPerSecond: seconds > 0 ? (r.samplesPerSecond * r.seconds * job.ensemble!.k) / seconds : r.samplesPerSecond },
  };
}

/**
 * The validation slice's metrics as the engine measured them during training (at the epoch whose weights the
 * model ends with), which saves a pass over the slice. Null when the history lacks them.
 */
export function validFromHistory(history: EpochRecord[], bestEpoch: number, recipe: JsonObject, task: Tensors["task"], n: number): EvalMetrics | null {
  const restored = recipe.earlyStopping !== false && recipe.earlyStopping !== undefined;
  const e = restored ? history.find((h) => h.epoch === bestEpoch) : history[history.length - 1];
  if (!e || e.validLoss === undefined || e.validMetric === undefined) return null;
  return task === "classification" ? { loss: e.validLoss, accuracy: e.validMetric, n } : { loss: e.validLoss, mse: e.validLoss, r2: e.validMetric, n };
}

/** The metrics without extra fields (what a result stores). */
export function plain(m: EvalMetrics): EvalMetrics {
  const out: EvalMetrics = { loss: m.loss, n: m.n };
  if (m.accuracy !== undefined) out.accuracy = m.accuracy;
  if (m.mse !== undefined) out.mse = m.mse;
  if (m.r2 !== undefined) out.r2 = m.r2;
  return out;
}
