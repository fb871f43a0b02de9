/**
 * The label-efficient Runs of a worker: semi-supervised training on the labelled subset plus the rest of the pool
 * with its labels hidden (pseudo-labelling rounds, or FixMatch inside the engine's loop), and the self-supervised
 * pretraining job (a pretext task on the pool's inputs, saved as an artifact for fine-tuning).
 *
 * Labels of unlabelled rows never reach a training: the engine gets their inputs only (a view of the data without
 * `y`), and a pseudo-labelling retraining reads a label array that holds the labelled rows' own labels, the
 * pseudo-labels and zeros, never a copy of the true labels.
 */
import type { Tensors } from "../engine/types.js";
import type { EpochRecord, JsonObject, RunJob, RunResult } from "./run.js";
import { engineFigures, type RunTrainDeps, type TrainedModel } from "./run-deps.js";
import { sampleRows } from "./valid-split.js";

type Trained = Awaited<ReturnType<RunTrainDeps["train"]>>;
type Opts = { onEpoch?: (e: EpochRecord) => void; signal?: AbortSignal };

/** The data's inputs without its labels (the same buffers). */
export function inputsOnly(data: Tensors): Omit<Tensors, "y"> {
  const { y: _hidden, ...inputs } = data;
  return inputs;
}

/**
 * A semi-supervised Run's unlabelled rows: the pool without the Run's labelled subset (its validation slice
 * included), a seeded sample of at most `cap`, in row order.
 */
export function unlabeledRows(pool: Int32Array, subset: Int32Array, cap: number, seed: number): Int32Array {
  const taken = new Set(subset);
  const rest = Int32Array.from(Array.from(pool).filter((r) => !taken.has(r)));
  return sampleRows(rest, cap, seed);
}

/** Trains a semi-supervised Run (job.semi) on `rows` of `data` with `unlabeled` rows; see the module comment. */
export async function trainSemi(
  job: RunJob,
  data: Tensors,
  rows: { train: Int32Array; valid?: Int32Array },
  unlabeled: Int32Array,
  deps: RunTrainDeps,
  opts: Opts,
): Promise<Trained & { semi: NonNullable<RunResult["semi"]> }> {
  const s = job.semi!;
  if (data.task !== "classification") throw Object.assign(new Error("semi-supervised Runs need a classification task"), { code: "SEMI_TASK" });
  const inputs = inputsOnly(data);
  if (s.method === "fixmatch") {
    const recipe: JsonObject = { ...job.recipe, semi: { threshold: s.threshold, ratio: s.ratio } };
    const out = await deps.train(job.spec, data, rows, recipe, { ...opts, unlabeled: { data: inputs, rows: unlabeled } });
    return { ...out, semi: { unlabeled: unlabeled.length, ...(out.result.semiConfident !== undefined ? { confident: out.result.semiConfident } : {}) } };
  }
  let out = await deps.train(job.spec, data, rows, job.recipe, opts);
  let seconds = out.result.seconds;
  let steps = out.result.steps;
  const added: number[] = [];
  const own = data.y as Int32Array;
  for (let round = 1; round <= s.rounds && unlabeled.length; round++) {
    const model: TrainedModel = out.model;
    if (!model.predict) throw Object.assign(new Error("this worker cannot predict"), { code: "NO_PREDICT" });
    const probs = await model.predict(inputs, unlabeled);
    const picked = confidentRows(probs, data.numClasses, s.threshold, Math.floor(s.ratio * rows.train.length));
    model.dispose();
    const y = new Int32Array(data.n);
    for (const r of rows.train) y[r] = own[r]!;
    for (const r of rows.valid ?? []) y[r] = own[r]!;
    const train = new Int32Array(rows.train.length + picked.length);
    train.set(rows.train);
    picked.forEach((p, j) => {
      y[unlabeled[p.i]!] = p.label;
      train[rows.train.length + j] = unlabeled[p.i]!;
    });
    added.push(picked.length);
    // Retrained from scratch with the Run's recipe and seed (no warm start), on the labelled and pseudo-labelled rows.
    out = await deps.train(job.spec, { ...data, y }, rows.valid ? { train, valid: rows.valid } : { train }, job.recipe, opts);
    seconds += out.result.seconds;
    steps += out.result.steps;
  }
  return { model: out.model, result: { ...out.result, seconds, steps }, semi: { unlabeled: unlabeled.length, pseudoLabelled: added } };
}

/**
 * Rows whose top class probability reaches `threshold`, at most `cap`, the most confident first (ties in row order):
 * `i` indexes the predicted rows, `label` is the top class.
 */
export function confidentRows(probs: Float32Array, k: number, threshold: number, cap: number): { i: number; label: number; p: number }[] {
  const out: { i: number; label: number; p: number }[] = [];
  const n = probs.length / k;
  for (let i = 0; i < n; i++) {
    let label = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + label]!) label = c;
    const p = probs[i * k + label]!;
    if (p >= threshold) out.push({ i, label, p });
  }
  out.sort((a, b) => b.p - a.p || a.i - b.i);
  return out.slice(0, Math.max(0, cap));
}

/**
 * A self-supervised pretraining job (job.pretext, with job.save): the pretext task on `size` pool rows' inputs (a
 * seeded sample; the test split is never read), the model saved by the caller. The result's metrics hold the final
 * pretext loss (there is no labelled score: the head is untrained).
 */
export async function runPretext(job: RunJob, data: Tensors, pool: Int32Array, deps: RunTrainDeps, opts: Opts): Promise<{ model: TrainedModel; result: RunResult }> {
  if (!deps.pretext) throw Object.assign(new Error("this worker cannot pretrain"), { code: "NO_PRETEXT" });
  const t0 = performance.now();
  const p = job.pretext!;
  const rows = sampleRows(pool, p.size, job.subset.seed);
  const recipe = { seed: job.recipe.seed, lr: job.recipe.lr, steps: p.steps, ...(job.recipe.threads !== undefined ? { threads: job.recipe.threads } : {}), ...(job.recipe.device !== undefined ? { device: job.recipe.device } : {}) };
  const { model, result } = await deps.pretext(job.spec, inputsOnly(data), rows, { method: p.method }, recipe, opts);
  const loss = result.history[result.history.length - 1]?.trainLoss ?? NaN;
  return {
    model,
    result: {
      metrics: { test: { loss, n: 0 }, valid: null, train: { loss, n: rows.length } },
      ...engineFigures(result, t0, deps.versions()),
      nTrain: rows.length,
      nValid: 0,
    },
  };
}
