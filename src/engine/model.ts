/**
 * Model: a trained network held by the native engine (a real resource: call dispose() when done, or let GC do it).
 *
 * Saved format (`save(dir)` writes a directory):
 * - `model.json`: `{ format: "enough-model", version: 1, spec, resolved, input, target, torchVersion, paramCount }`,
 *   where `spec` is the ModelSpec as given, `resolved` the explicit layer sizes, `input` the data shape the model
 *   takes (task, xKind, xShape, numClasses, vocabSize, catCardinalities, imageMean, imageStd) and `target` the
 *   regression target scaling (mean, std; identity for classification).
 * - `weights.pt`: a libtorch archive (torch::serialize::OutputArchive) with every parameter and buffer under its
 *   module path (e.g. `fc0.weight`, `conv1.weight`, `bn0.running_mean`), float32, contiguous NCHW.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { call, engineDefaultThreads, loadAddon, mapNativeError, type NativeModel } from "./native.js";
import { predictionScores, type PredictionScores } from "./scores.js";
import { validateSpec, type ModelSpec, type ResolvedSpec } from "./spec.js";
import type { Tensors, Task } from "./types.js";

/** What the model was trained on; data given to predict/evaluate/embed must match it. */
export interface InputMeta {
  task: Task;
  xKind: Tensors["xKind"];
  xShape: number[];
  numClasses: number;
  vocabSize?: number;
  catCardinalities?: number[];
  imageMean?: number[];
  imageStd?: number[];
}

export interface Evaluation extends PredictionScores {
  /** Mean cross-entropy (unweighted, unsmoothed) for classification; mean squared error for regression. */
  loss: number;
  accuracy?: number;
  mse?: number;
  r2?: number;
  n: number;
}

/** Acquisition strategies of active learning (random is the baseline's). */
export const ACQUIRE_STRATEGIES = ["random", "margin", "entropy", "bald", "coreset", "badge"] as const;
export type AcquireStrategy = (typeof ACQUIRE_STRATEGIES)[number];
/** BALD's stochastic forward passes: 20, as Gal et al. 2017 use for their image experiments. */
export const MC_SAMPLES = 20;

export function inputMetaOf(data: Tensors): InputMeta {
  const m: InputMeta = { task: data.task, xKind: data.xKind, xShape: [...data.xShape], numClasses: data.task === "classification" ? data.numClasses : 0 };
  if (data.vocabSize !== undefined) m.vocabSize = data.vocabSize;
  if (data.catCardinalities?.length) m.catCardinalities = [...data.catCardinalities];
  if (data.imageMean) m.imageMean = [...data.imageMean];
  if (data.imageStd) m.imageStd = [...data.imageStd];
  return m;
}

export class Model {
  readonly spec: ModelSpec;
  readonly resolved: ResolvedSpec;
  readonly input: InputMeta;
  readonly paramCount: number;
  /** Size of the penultimate-layer features that embed() returns. */
  readonly embedDim: number;
  /** Whether the engine runs this model in channels-last layout: the spec asks for it (the cnn/resnet default) and
   * every convolution has at least 8 channels (fewer hit a oneDNN bug on AVX2 CPUs; see native/src/models.cc). */
  readonly channelsLast: boolean;
  #native: NativeModel | undefined;

  /** @internal Models come from train() or Model.load(). */
  constructor(spec: ModelSpec, resolved: ResolvedSpec, input: InputMeta, native: NativeModel) {
    this.spec = spec;
    this.resolved = resolved;
    this.input = input;
    this.#native = native;
    const info = native.info();
    this.paramCount = info.paramCount;
    this.embedDim = info.featureDim;
    this.channelsLast = info.channelsLast;
  }

  #handle(): NativeModel {
    if (!this.#native) throw new InputError("MODEL_DISPOSED", "this model was disposed");
    return this.#native;
  }

  #check(data: Tensors, needLabels: boolean): void {
    const m = this.input;
    const where = (what: string) => new InputError("MODEL_INPUT_MISMATCH", `data does not match the model: ${what}`, { hint: "use data encoded the same way as the training data" });
    if (data.xKind !== m.xKind) throw where(`xKind is ${data.xKind}, the model takes ${m.xKind}`);
    if (data.xShape.length !== m.xShape.length || data.xShape.some((d, i) => d !== m.xShape[i]))
      throw where(`xShape is [${data.xShape}], the model takes [${m.xShape}]`);
    if ((data.catCardinalities?.length ?? 0) !== (m.catCardinalities?.length ?? 0))
      throw where(`${data.catCardinalities?.length ?? 0} categorical columns, the model takes ${m.catCardinalities?.length ?? 0}`);
    if (needLabels && data.task !== m.task) throw where(`task is ${data.task}, the model does ${m.task}`);
  }

  /** Class probabilities (n × numClasses, row-major) for classification, or predicted values (n) for regression. */
  async predict(data: Tensors, rows?: Int32Array): Promise<Float32Array> {
    this.#check(data, false);
    const h = this.#handle();
    return call(() => h.predict(this.#forModel(data), rows ?? null, engineDefaultThreads()));
  }

  /** Penultimate-layer features: `values` is n × dim, row-major. */
  async embed(data: Tensors, rows?: Int32Array): Promise<{ dim: number; values: Float32Array }> {
    this.#check(data, false);
    const h = this.#handle();
    return call(() => h.embed(this.#forModel(data), rows ?? null, engineDefaultThreads()));
  }

  /**
   * Loss, accuracy, macro F1, balanced accuracy and ROC AUC (classification) or loss, mse, R² and MAE (regression)
   * on the given rows: one pass in the engine, whose predictions give the metrics it does not compute itself.
   */
  async evaluate(data: Tensors, rows?: Int32Array): Promise<Evaluation> {
    this.#check(data, true);
    const h = this.#handle();
    const { predictions, ...m } = await call(() => h.evaluate(this.#forModel(data), rows ?? null, engineDefaultThreads(), true));
    return predictions ? { ...m, ...predictionScores(data.task, predictions, data.y, rows, this.input.numClasses) } : m;
  }

  /**
   * Active learning: the `k` rows of `pool` (data row indices) not in `labelled` that `strategy` picks next, in pick
   * order, with their scores (higher = picked earlier; see native/src/acquire.cc for each strategy's score). All the
   * work (forward passes, MC dropout, distances, k-center, k-means++) runs in C++; `seed` fixes every random draw.
   */
  async acquire(data: Tensors, pool: Int32Array, labelled: Int32Array | null, opts: { strategy: AcquireStrategy; k: number; seed: number; mcSamples?: number; threads?: number }): Promise<{ rows: Int32Array; scores: Float32Array }> {
    this.#check(data, false);
    const h = this.#handle();
    return call(() => loadAddon().acquire(h, this.#forModel(data), pool, labelled, { strategy: opts.strategy, k: opts.k, seed: opts.seed, mcSamples: opts.mcSamples ?? MC_SAMPLES, threads: opts.threads ?? engineDefaultThreads() }));
  }

  // Inference data may come without labels of the training task's type: give the addon what it checks.
  #forModel(data: Tensors): Tensors {
    if (data.task === this.input.task && data.numClasses === this.input.numClasses) return data;
    return { ...data, task: this.input.task, numClasses: this.input.numClasses, y: this.input.task === "classification" ? new Int32Array(data.n) : new Float32Array(data.n) };
  }

  /** Writes the model to directory `path` (created if missing): model.json + weights.pt (see the module comment). */
  async save(path: string): Promise<void> {
    const h = this.#handle();
    await mkdir(path, { recursive: true });
    const info = h.info();
    const meta = {
      format: "enough-model",
      version: 1,
      spec: this.spec,
      resolved: this.resolved,
      input: this.input,
      target: { mean: info.yMean, std: info.yStd },
      torchVersion: loadAddon().info().torchVersion,
      paramCount: this.paramCount,
    };
    await call(() => h.saveWeights(join(path, "weights.pt")));
    await writeFile(join(path, "model.json"), JSON.stringify(meta, null, 2) + "\n");
  }

  /** Reads a model written by save(). */
  static async load(path: string): Promise<Model> {
    let meta: { format?: string; version?: number; spec: ModelSpec; resolved: ResolvedSpec; input: InputMeta; target: { mean: number; std: number } };
    try {
      meta = JSON.parse(await readFile(join(path, "model.json"), "utf8"));
    } catch (e) {
      throw new InputError("MODEL_LOAD", `cannot read ${join(path, "model.json")}: ${(e as Error).message}`, { hint: "pass a directory written by Model.save()" });
    }
    if (meta.format !== "enough-model" || meta.version !== 1) {
      throw new InputError("MODEL_LOAD", `${join(path, "model.json")} is not an enough-model version 1 file`);
    }
    validateSpec(meta.spec);
    const addon = loadAddon();
    let native: NativeModel;
    try {
      // Models saved before the torchscript family have no scriptPath: the addon takes every field explicitly.
      native = addon.createModel({ ...meta.resolved, scriptPath: meta.resolved.scriptPath ?? "" }, { ...meta.input, yMean: meta.target.mean, yStd: meta.target.std });
    } catch (e) {
      throw mapNativeError(e);
    }
    try {
      await call(() => native.loadWeights(join(path, "weights.pt")));
    } catch (e) {
      native.dispose();
      if (e instanceof InputError) throw e;
      throw new InputError("MODEL_LOAD", `cannot read ${join(path, "weights.pt")}: ${(e as Error).message}`, { cause: e });
    }
    return new Model(meta.spec, meta.resolved, meta.input, native);
  }

  /** Frees the native network now (in-flight calls finish first). Further calls throw. */
  dispose(): void {
    this.#native?.dispose();
    this.#native = undefined;
  }
}
