/**
 * What a worker does with one Run: recompute the subset (nested, stratified, seeded), hold out the validation
 * slice, train, and evaluate on the test split, the validation slice and the training rows. The engine and data
 * functions come in as parameters so that this stays testable and the worker decides how to load them.
 */
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Dataset } from "../data/types.js";
import { composedSubset } from "../data/subsets.js";
import type { Tensors } from "../engine/types.js";
import type { EpochRecord, EvalMetrics, JsonObject, RunJob, RunResult, SemiJob } from "./run.js";
import { engineFigures, type RunTrainDeps, type TrainedModel } from "./run-deps.js";
import { runPretext, trainSemi, unlabeledRows } from "./run-semi.js";
import { sampleRows, splitValidation } from "./valid-split.js";
import { correctBits } from "./plan/bits.js";
import { combine, generate } from "./synthetic/generate.js";
import { fidelityReport } from "./synthetic/fidelity.js";
import type { TrainPredict } from "./extra/domain.js";

export type { EngineResult, RunTrainDeps, TrainedModel } from "./run-deps.js";

/** The dataset's last `k` rows: rows appended after the user's (an extra data set, or given unlabelled rows). */
export function lastRows(n: number, k: number): Int32Array {
  if (!(k > 0 && k <= n)) throw Object.assign(new Error(`the dataset has ${n} rows, fewer than the ${k} appended rows the job names`), { code: "EXTRA_ROWS" });
  return Int32Array.from({ length: k }, (_, j) => n - k + j);
}

/** The training rows followed by the dataset's last `extra` rows (an extra data set appended after the user's). */
export function withExtraRows(train: Int32Array, n: number, extra: number): Int32Array {
  const out = new Int32Array(train.length + extra);
  out.set(train);
  out.set(lastRows(n, extra), train.length);
  return out;
}

/**
 * --unlabeled's rows: the dataset's last `k` rows, which must lie after every row of its split, so a job sent to the
 * wrong data can never take test or pool rows for unlabelled ones.
 */
export function givenRows(dataset: Pick<Dataset, "tensors" | "split">, k: number): Int32Array {
  const rows = lastRows(dataset.tensors.n, k);
  const first = dataset.tensors.n - k;
  if (dataset.split.test.some((r) => r >= first) || dataset.split.pool.some((r) => r >= first)) {
    throw Object.assign(new Error(`the dataset's last ${k} rows are not rows appended after its split (they hold test or pool rows)`), { code: "UNLABELED_ROWS" });
  }
  return rows;
}

/**
 * A semi Run's unlabelled rows, a seeded sample of at most `s.unlabeled`: the given rows (--unlabeled, appended
 * after the user's), or else the pool without the Run's subset.
 */
export function semiRows(s: SemiJob, dataset: Dataset, subset: Int32Array, seed: number): Int32Array {
  return s.source ? sampleRows(givenRows(dataset, s.source.rows), s.unlabeled, seed) : unlabeledRows(dataset.split.pool, subset, s.unlabeled, seed);
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
  if (job.pretext) return pretextJob(job, dataset, deps, opts);
  const labels = data.task === "classification" ? (data.y as Int32Array) : null;
  // Computed for this size alone, so the Run depends on (size, seed) only, whatever else the study measures; a
  // composed subset (over-sampled class) from the same seeded order (data/subsets.ts).
  const composition = job.subset.composition;
  if (composition && !labels) throw Object.assign(new Error("a class composition needs a classification task"), { code: "BAD_COMPOSITION" });
  const subset = composition ? composedSubset(dataset.split.pool, labels!, composition, job.subset.seed, dataset.schema.classes) : deps.nestedSubsets(dataset.split.pool, labels, [job.subset.size], job.subset.seed).subsets[0];
  if (!subset || subset.length === 0) throw Object.assign(new Error(`no subset of size ${job.subset.size} could be drawn`), { code: "EMPTY_SUBSET" });
  const split = splitValidation(subset, labels, job.validFraction, job.subset.seed);
  let valid = split.valid;
  let train = job.extra ? withExtraRows(split.train, data.n, job.extra.rows) : split.train;
  // Synthetic Runs train on a compact copy: the real training rows, the validation slice, the generated rows.
  const syn = job.synthetic ? await synthesise(job, dataset, split.train, split.valid, deps) : null;
  const trainData = syn ? syn.combined.tensors : data;
  if (syn) (train = syn.combined.train), (valid = syn.combined.valid);
  const rows = valid.length ? { train, valid } : { train };
  const semi = job.semi ? await trainSemi(job, data, rows, semiRows(job.semi, dataset, subset, job.subset.seed), deps, opts) : null;
  const { model, result } = semi ?? (job.ensemble && job.ensemble.k > 1 ? await trainMembers(job, trainData, rows, deps, opts) : await deps.train(job.spec, trainData, rows, job.recipe, opts));
  try {
    const test = await model.evaluate(data, dataset.split.test);
    // Which test rows were right, in the test split's order: per-class and per-group curves (--plan) read it later,
    // for any class or group column, without the Run's inputs naming them.
    const testCorrect = labels && model.predict ? correctBits(await model.predict(data, dataset.split.test), labels, dataset.split.test, data.numClasses) : undefined;
    // The slice is evaluated again rather than read from the training history, which has loss and accuracy/R² only:
    // every metric a study may choose (F1, AUC, ...) must exist on every split. One pass over 15% of the subset.
    const validM = valid.length ? await model.evaluate(trainData, valid) : null;
    // The train score is the real training rows' (a synthetic Run's synthetic rows are not what it is asked about).
    const trainM = await model.evaluate(trainData, sampleRows(syn ? syn.combined.real : train, job.trainEvalCap ?? TRAIN_EVAL_CAP, job.subset.seed));
    if (job.save !== undefined) await saveArtifact(model, job.save);
    const synthetic = syn ? await syntheticReport(job, syn, dataset, deps) : undefined;
    return {
      metrics: { test: plain(test), valid: validM ? plain(validM) : null, train: plain(trainM) },
      ...engineFigures(result, t0, deps.versions()),
      nTrain: train.length,
      nValid: valid.length,
      ...(result.privacy ? { privacy: { ...result.privacy } } : {}),
      ...(testCorrect !== undefined ? { testCorrect } : {}),
      ...(synthetic ? { synthetic } : {}),
      ...(semi ? { semi: semi.semi } : {}),
    };
  } finally {
    model.dispose();
  }
}

type Synthesis = { combined: ReturnType<typeof combine>; realRows: number; generator: NonNullable<RunResult["synthetic"]>["generator"] };

/** A synthetic Run's generator, fitted on the real training rows only (never the validation slice or the test split). */
async function synthesise(job: RunJob, dataset: Dataset, train: Int32Array, valid: Int32Array, deps: RunTrainDeps): Promise<Synthesis> {
  if (!deps.synthetic) throw Object.assign(new Error("this worker cannot make synthetic data"), { code: "NO_SYNTHETIC" });
  const { rows, generator } = await generate(job.synthetic!, dataset.tensors, train, job.subset.seed, deps.synthetic, dataset.encoders);
  return { combined: combine(dataset.tensors, train, valid, rows), realRows: train.length, generator };
}

async function syntheticReport(job: RunJob, syn: Synthesis, dataset: Dataset, deps: RunTrainDeps): Promise<NonNullable<RunResult["synthetic"]>> {
  const trainPredict: TrainPredict = async (spec, data, rows, recipe) => {
    const { model } = await deps.train(spec, data, { train: rows.train }, recipe, {});
    try {
      if (!model.predict) throw Object.assign(new Error("this worker's models cannot predict"), { code: "NO_PREDICT" });
      return await model.predict(data, rows.predict);
    } finally {
      model.dispose();
    }
  };
  const c = syn.combined;
  const fidelity = await fidelityReport(
    { data: c.tensors, real: c.real, synthetic: c.synthetic, valid: c.valid, original: dataset.tensors, test: dataset.split.test, spec: job.spec, recipe: job.recipe, seed: job.subset.seed },
    { nearest: deps.synthetic!.nearest, trainPredict, train: deps.train },
  );
  return { model: job.synthetic!.model, ratio: job.synthetic!.ratio, realRows: syn.realRows, rows: c.synthetic.length, generator: syn.generator, fidelity: { ...fidelity, tstr: plain(fidelity.tstr) } };
}

/** A self-supervised pretraining job: the pretext on the pool's inputs, then the model saved as the artifact. */
async function pretextJob(job: RunJob, dataset: Dataset, deps: RunTrainDeps, opts: { onEpoch?: (e: EpochRecord) => void; signal?: AbortSignal }): Promise<RunResult> {
  if (job.save === undefined) throw Object.assign(new Error("a pretraining job needs a folder to save into"), { code: "NO_SAVE" });
  // --unlabeled: the given rows (appended after the user's) in place of the pool.
  const rows = job.pretext!.source ? givenRows(dataset, job.pretext!.source.rows) : dataset.split.pool;
  const { model, result } = await runPretext(job, dataset.tensors, rows, deps, opts);
  try {
    await saveArtifact(model, job.save);
    return result;
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

const METRIC_FIELDS = ["accuracy", "mse", "r2", "f1", "balancedAccuracy", "auc", "mae"] as const;

/** The metrics a Run keeps (nothing else an evaluation may carry). */
export function plain(m: EvalMetrics): EvalMetrics {
  const out: EvalMetrics = { loss: m.loss, n: m.n };
  for (const k of METRIC_FIELDS) if (m[k] !== undefined) out[k] = m[k];
  return out;
}
