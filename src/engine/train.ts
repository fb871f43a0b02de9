/** train(): one training run in the native engine, with per-epoch progress and cancellation. */
import { CancelledError, InputError } from "../errors.js";
import { blasCoreTypeChoice, call, engineDefaultThreads, loadAddon } from "./native.js";
import { chooseLayout, cpuProfile, type Choice } from "./machine.js";
import { inputMetaOf, Model } from "./model.js";
import { defaultDelta, defaultRecipe, resolveAugment, resolveFinetune, validateRecipe, type Recipe } from "./recipe.js";
import { calibrateNoise, dpSgdEpsilon } from "./accountant.js";
import { SpecError } from "../errors.js";
import { resolveSpec, type ModelSpec, type ResolvedSpec } from "./spec.js";
import { resolvePretext, resolveSemi, type PretextOptions } from "./semi.js";
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Tensors } from "./types.js";

export interface EpochReport {
  /** 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's batches (as optimised: with label smoothing / class weights; regression: MSE in target units). */
  trainLoss: number;
  /** Validation loss (plain cross-entropy, or MSE in target units); present when valid rows were given. */
  validLoss?: number;
  /** Validation accuracy (classification) or R² (regression); present when valid rows were given. */
  validMetric?: number;
  /** Learning rate at the epoch's last step. */
  lr: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** Training samples per second (training phase only). */
  samplesPerSecond: number;
}

export interface TrainResult {
  history: EpochReport[];
  /** Epoch with the lowest validation loss (the last epoch without validation rows). With early stopping these weights are restored. */
  bestEpoch: number;
  epochs: number;
  steps: number;
  /** Wall time of the whole call (setup, validation included). */
  seconds: number;
  /** Training samples per second over all epochs (training phase only). */
  samplesPerSecond: number;
  stoppedEarly: boolean;
  paramCount: number;
  /** Private trainings only (recipe.privacy): what was spent, by the Rényi-DP accountant. */
  privacy?: PrivacyReport;
  /** FixMatch trainings only (recipe.semi): the share of unlabelled rows drawn whose weak view reached the threshold. */
  semiConfident?: number;
}

/**
 * The privacy of a DP-SGD training: `steps` steps at sampling rate `sampleRate` (batchSize / n) with noise
 * multiplier `noiseMultiplier` are (epsilon, delta)-DP for add/remove-one adjacency (the Rényi-DP accountant with the
 * improved conversion, as Opacus). With sampling "shuffle" the same numbers are the usual approximation. epsilon is
 * Infinity when noiseMultiplier is 0 (null in JSON).
 */
export interface PrivacyReport {
  sampleRate: number;
  noiseMultiplier: number;
  steps: number;
  delta: number;
  epsilon: number;
  /** The budget asked for (recipe.privacy.epsilon), when the noise was calibrated to it. */
  targetEpsilon?: number;
}

/**
 * The noise of a private training: the given sigma, or the smallest sigma whose planned steps (the same count the
 * engine plans: every epoch of ceil(n / B) batches, or recipe.steps) spend at most
 * the epsilon asked. An early stop only spends less.
 */
function resolvePrivacy(
  p: NonNullable<Recipe["privacy"]>,
  n: number,
  r: { batchSize?: number; epochs?: number; steps?: number },
): { noiseMultiplier: number; maxGradNorm: number; sampling: "poisson" | "shuffle"; sampleRate: number; delta: number; targetEpsilon?: number } {
  const B = Math.min(r.batchSize ?? n, n);
  const sampleRate = B / n;
  const delta = p.delta ?? defaultDelta(n);
  let noiseMultiplier = p.noiseMultiplier;
  if (noiseMultiplier === undefined) {
    const perEpoch = Math.ceil(n / B); // private trainings keep a trailing batch of one row (trainer.cc)
    const steps = r.steps && r.steps > 0 ? r.steps : (r.epochs ?? 1) * perEpoch;
    try {
      noiseMultiplier = calibrateNoise({ epsilon: p.epsilon!, delta, sampleRate, steps });
    } catch (err) {
      throw new SpecError("PRIVACY_INVALID", `recipe.privacy: no noise level reaches epsilon ${p.epsilon} at delta ${delta} over ${steps} steps at sampling rate ${sampleRate.toFixed(4)} (${(err as Error).message})`, {
        hint: "ask for a larger epsilon, fewer epochs or a smaller batch",
      });
    }
  }
  return { noiseMultiplier, maxGradNorm: p.maxGradNorm, sampling: p.sampling, sampleRate, delta, ...(p.epsilon !== undefined ? { targetEpsilon: p.epsilon } : {}) };
}

export interface TrainOptions {
  /** Called on the main thread once per epoch; throwing stops the training and rejects with that error. */
  onEpoch?: (e: EpochReport) => void;
  /** Aborting cancels the training within one batch; train() then rejects with CancelledError. */
  signal?: AbortSignal;
  /**
   * recipe.semi's unlabelled rows: `rows` of `data` (all rows when absent), same inputs as the training data. Their
   * labels, if the object has any, are dropped here: the addon gets the inputs only.
   */
  unlabeled?: { data: Tensors | Omit<Tensors, "y">; rows?: Int32Array };
}

/** The inputs of a data set without its labels (the same buffers, no copy): what crosses for unlabelled rows. */
export function withoutLabels(data: Tensors | Omit<Tensors, "y">): Omit<Tensors, "y"> {
  const { y: _labels, ...inputs } = data as Tensors;
  return inputs;
}

/**
 * The weights file of a saved model to start from, after checking that it was saved from the same architecture
 * (the resolved spec, head aside: the class count is not part of it).
 */
async function initWeightsPath(path: string, resolved: ResolvedSpec): Promise<string> {
  if (!existsSync(path)) throw new InputError("INIT_WEIGHTS", `recipe.init.weights: ${path} does not exist`);
  if (!statSync(path).isDirectory()) return path;
  let saved: { resolved?: ResolvedSpec };
  try {
    saved = JSON.parse(await readFile(join(path, "model.json"), "utf8"));
  } catch (e) {
    throw new InputError("INIT_WEIGHTS", `recipe.init.weights: cannot read ${join(path, "model.json")}: ${(e as Error).message}`, { hint: "pass a directory written by Model.save()" });
  }
  // the layout is a speed choice per machine (machine.ts), not architecture: weights move between layouts
  const arch = (r: ResolvedSpec | undefined) => JSON.stringify(r ? { ...r, classWeights: [], labelSmoothing: 0, dropout: 0, channelsLast: false } : null);
  if (arch(saved.resolved && { ...saved.resolved, scriptPath: saved.resolved.scriptPath ?? "" }) !== arch(resolved)) {
    throw new InputError("INIT_WEIGHTS", `recipe.init.weights: ${path} was saved from another architecture (${JSON.stringify(saved.resolved)}); transfer needs the same ModelSpec`);
  }
  return join(path, "weights.pt");
}

/**
 * Trains `spec` on `data` rows `rows.train` (row indices into data; no copy), validating on `rows.valid` each epoch.
 * Missing recipe fields take defaultRecipe(data.xKind, rows.train.length)'s values. Early stopping needs valid rows.
 */
export async function train(
  spec: ModelSpec,
  data: Tensors,
  rows: { train: Int32Array; valid?: Int32Array },
  recipe: Recipe = {},
  opts: TrainOptions = {},
): Promise<{ model: Model; result: TrainResult }> {
  const addon = loadAddon();
  validateRecipe(recipe);
  const resolved = await resolveForMachine(spec, data);
  if (!(rows?.train instanceof Int32Array)) throw new InputError("ENGINE_INPUT", "rows.train must be an Int32Array of row indices");
  if (rows.valid !== undefined && !(rows.valid instanceof Int32Array)) throw new InputError("ENGINE_INPUT", "rows.valid must be an Int32Array of row indices");
  const r = { ...defaultRecipe(data.xKind, rows.train.length), ...recipe };
  const augment = resolveAugment(r.augment, data);
  const finetune = resolveFinetune(r.finetune, resolved.family === "torchscript");
  if (r.privacy) checkPrivate(resolved, augment, finetune.mode);
  const privacy = r.privacy ? resolvePrivacy(r.privacy, rows.train.length, r) : null;
  if (r.semi && r.privacy) throw new SpecError("SEMI_PRIVACY", "recipe.semi cannot be combined with recipe.privacy: the unlabelled loss is not clipped or noised", { hint: "drop one of them" });
  if (r.semi && !opts.unlabeled) throw new InputError("SEMI_NO_UNLABELED", "recipe.semi needs unlabelled rows (TrainOptions.unlabeled)");
  const semi = r.semi ? resolveSemi(r.semi, data) : null;
  const unl = opts.unlabeled ? withoutLabels(opts.unlabeled.data) : null;
  const es = r.earlyStopping;
  // every recipe field explicit, defaults filled: the form the addon reads (it fills no default itself)
  const nativeRecipe = {
    ...nativeBasics(r),
    earlyStopping: !!es && rows.valid !== undefined && rows.valid.length > 0,
    patience: es ? es.patience : 0,
    minDelta: es ? (es.minDelta ?? 0) : 0,
    augment,
    init: r.init ? { weights: await initWeightsPath(r.init.weights, resolved), skipHead: r.init.skipHead ?? false } : null,
    finetune,
    privacy: privacy ? { noiseMultiplier: privacy.noiseMultiplier, maxGradNorm: privacy.maxGradNorm, sampling: privacy.sampling } : null,
    semi,
  };
  const onEpoch = opts.onEpoch;
  return withCancel(opts.signal, async (cancel) => {
    const out = await call(() =>
      addon.train(resolved, data, rows.train, rows.valid ?? null, nativeRecipe, onEpoch ? (e) => onEpoch(e as EpochReport) : null, cancel, semi ? unl : null, semi ? (opts.unlabeled!.rows ?? null) : null),
    );
    const result = out.result as TrainResult;
    if (privacy) {
      const { sampleRate, noiseMultiplier, delta } = privacy;
      const { epsilon } = dpSgdEpsilon({ sampleRate, noiseMultiplier, steps: result.steps, delta });
      result.privacy = { sampleRate, noiseMultiplier, steps: result.steps, delta, epsilon, ...(privacy.targetEpsilon !== undefined ? { targetEpsilon: privacy.targetEpsilon } : {}) };
    }
    return { model: new Model(spec, resolved, inputMetaOf(data), out.model), result };
  });
}

/** The recipe fields every native call reads as they are (defaults filled). */
function nativeBasics(r: Recipe) {
  return {
    optimizer: r.optimizer,
    lr: r.lr,
    momentum: r.momentum ?? 0.9,
    nesterov: r.nesterov ?? false,
    weightDecay: r.weightDecay ?? 0,
    schedule: r.schedule,
    epochs: r.epochs,
    steps: r.steps ?? 0,
    batchSize: r.batchSize,
    seed: r.seed ?? 0,
    threads: r.threads ?? engineDefaultThreads(),
    device: r.device ?? "cpu",
  };
}

/** Runs a native training with a cancel flag that `signal` sets (the addon checks it every batch). */
async function withCancel<T>(signal: AbortSignal | undefined, run: (cancel: Int32Array) => Promise<T>): Promise<T> {
  if (signal?.aborted) throw new CancelledError("training cancelled before it started");
  const cancel = new Int32Array(1);
  const onAbort = () => {
    cancel[0] = 1;
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await run(cancel);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** resolveSpec, with the layout a speed knob chosen per machine unless the spec sets it (machine.ts). */
async function resolveForMachine(spec: ModelSpec, data: Parameters<typeof resolveSpec>[1]): Promise<ResolvedSpec> {
  const resolved = resolveSpec(spec, data);
  if ((resolved.family === "cnn" || resolved.family === "resnet") && spec.channelsLast === undefined) resolved.channelsLast = (await machineLayout()).value;
  return resolved;
}

/** The cnn/resnet layout of this machine for specs that leave it unset (decided once per process; see machine.ts). */
export function machineLayout(): Promise<Choice<boolean>> {
  return chooseLayout(cpuProfile(), blasCoreTypeChoice().cacheFile, measureLayout);
}

/**
 * Training samples per CPU-second of the benchmark CNN (conv32-pool-conv64-pool-fc128) on 512 synthetic 28x28 images
 * in one layout, one thread: the calibration behind chooseLayout, once per machine (a few seconds for both layouts,
 * twice each). CPU time, so that other processes' load does not decide the layout.
 */
async function measureLayout(channelsLast: boolean): Promise<number> {
  const n = 512;
  const s = 28;
  const x = new Uint8Array(n * s * s);
  let h = 0x9e3779b9;
  for (let i = 0; i < x.length; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    x[i] = h & 255;
  }
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  const data: Tensors = { task: "classification", numClasses: 10, n, x, xShape: [1, s, s], xKind: "image", imageMean: [0.5], imageStd: [0.29], y };
  const c0 = process.cpuUsage();
  const { model } = await train(
    { family: "cnn", channels: [32, 64], fc: 128, batchNorm: false, channelsLast },
    data,
    { train: Int32Array.from({ length: n }, (_, i) => i) },
    { optimizer: "adam", lr: 1e-3, batchSize: 64, epochs: 1, seed: 0, earlyStopping: false, threads: 1 },
  );
  const c = process.cpuUsage(c0);
  model.dispose();
  return n / ((c.user + c.system) / 1e6);
}

// What a pretraining does not use, in the explicit form the addon's recipe reader requires.
const PRETEXT_FIXED = { earlyStopping: false, patience: 0, minDelta: 0, augment: null, init: null, finetune: { mode: "full", headFraction: 0 }, privacy: null, semi: null };

/**
 * Self-supervised pretraining (native/src/pretext.cc): trains `spec`'s feature extractor on `rows` of `data` by a
 * pretext task (PretextOptions; never reads labels: they do not cross into the addon), and returns the model with an
 * untrained head, to be saved and fine-tuned through recipe.init with skipHead. Recipe: Adam, lr 1e-3, batch 128
 * (the rows if fewer), 1,000 steps unless `recipe` says otherwise; no validation, no early stopping.
 */
export async function pretext(
  spec: ModelSpec,
  data: Tensors | Omit<Tensors, "y">,
  rows: Int32Array | undefined,
  options: PretextOptions = {},
  recipe: Recipe = {},
  opts: TrainOptions = {},
): Promise<{ model: Model; result: TrainResult }> {
  const addon = loadAddon();
  validateRecipe(recipe);
  const inputs = withoutLabels(data);
  const full = { ...inputs, y: new Int32Array(0) } as Tensors; // for the spec's checks only; never sent
  const resolved = await resolveForMachine(spec, full);
  const n = rows ? rows.length : data.n;
  const r: Recipe = { optimizer: "adam", lr: 1e-3, schedule: "constant", batchSize: Math.max(2, Math.min(128, n)), epochs: 1, steps: 1000, seed: 0, ...recipe };
  const p = resolvePretext(options, full);
  const onEpoch = opts.onEpoch;
  return withCancel(opts.signal, async (cancel) => {
    const out = await call(() => addon.pretext(resolved, inputs, rows ?? null, { ...nativeBasics(r), ...PRETEXT_FIXED }, p, onEpoch ? (e) => onEpoch(e as EpochReport) : null, cancel));
    return { model: new Model(spec, resolved, inputMetaOf(full), out.model), result: out.result as TrainResult };
  });
}

/** Private training refuses what is not private: batch norm (it mixes a batch's rows), row-mixing augmentation. */
function checkPrivate(resolved: ResolvedSpec, augment: ReturnType<typeof resolveAugment>, finetune: string): void {
  checkPrivateModel(resolved, finetune);
  if (augment && (augment.mixup > 0 || augment.cutmix > 0 || augment.smote > 0)) {
    throw new SpecError("PRIVACY_AUGMENT", "recipe.privacy: mixup, cutmix and smote mix training rows, so a per-sample gradient would not be one sample's", {
      hint: "turn them off (crop, flip, rotate, scale, cutout, noise and the token ops are per row)",
    });
  }
}

/**
 * The model side of checkPrivate: a SpecError (PRIVACY_BATCH_NORM) for a model that holds batch norm. Exported so a
 * study can refuse a private lever before it trains anything.
 */
export function checkPrivateModel(resolved: ResolvedSpec, finetune: string): void {
  if (resolved.family === "resnet") {
    throw new SpecError("PRIVACY_BATCH_NORM", "recipe.privacy: the resnet family always has batch norm, which is not private (it mixes the rows of a batch); use mlp or cnn with batchNorm: false", {
      hint: "use family mlp or cnn with batchNorm: false",
    });
  }
  if (resolved.batchNorm) {
    throw new SpecError("PRIVACY_BATCH_NORM", "recipe.privacy: batch norm is not private (its statistics mix the rows of a batch, so a row's gradient depends on the others); train with batchNorm: false", {
      hint: "set batchNorm: false in the model spec",
    });
  }
  if (resolved.family === "torchscript" && finetune !== "head") {
    throw new SpecError("PRIVACY_BATCH_NORM", "recipe.privacy: a TorchScript backbone may hold batch norm; private training only fine-tunes its head", {
      hint: 'use finetune: "head"',
    });
  }
}
