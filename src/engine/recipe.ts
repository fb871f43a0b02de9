/** Recipe: how to train. Defaults per data kind, and checks with typed errors. */
import { SpecError } from "../errors.js";
import type { Tensors } from "./types.js";

export interface Recipe {
  optimizer?: "sgd" | "adam" | "adamw";
  lr?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  /** Learning-rate schedule over the whole step budget: constant, cosine (to 0) or one-cycle (PyTorch OneCycleLR defaults). */
  schedule?: "constant" | "cosine" | "onecycle";
  /** Passes over the training rows (ignored when `steps` is set). */
  epochs?: number;
  /** Optimizer-step budget instead of epochs; the last epoch may be partial. */
  steps?: number;
  batchSize?: number;
  /** Stop when the validation loss has not improved by minDelta for `patience` epochs; restores the best weights. Needs valid rows. */
  earlyStopping?: { patience: number; minDelta?: number } | false;
  seed?: number;
  /** Intra-op threads for this training (default: the engine's, see engineInfo().threads). */
  threads?: number;
  device?: "cpu" | "cuda";
  /**
   * Per-batch data augmentation of the training rows, in the native batch gather (part of the Run id through the
   * recipe). `true` is `{ policy: "default" }`; see AugmentOptions and resolveAugment for what each data kind gets.
   */
  augment?: boolean | AugmentOptions;
  /** Transfer: start from the weights of a model saved by Model.save() with the same ModelSpec. */
  init?: InitOptions;
  /** Which parameters train (default "full"; a torchscript backbone defaults to "head": frozen features). */
  finetune?: FinetuneMode | { mode: FinetuneMode; headFraction?: number };
  /**
   * Differentially private training (DP-SGD, part of the Run id through the recipe): per-sample gradients clipped
   * to `maxGradNorm`, Gaussian noise of `noiseMultiplier * maxGradNorm`, divided by the expected batch size. The
   * result's `privacy` reports the (epsilon, delta) spent (Rényi-DP accountant, src/strategies/privacy). Needs a
   * model without batch norm; mixup, cutmix and smote are refused.
   */
  privacy?: PrivacyOptions;
  /**
   * Semi-supervised training, FixMatch-style (native/src/semi.cc): each step also draws `ratio` x the batch of the
   * unlabelled rows given to train() (TrainOptions.unlabeled, passed without labels), pseudo-labels their weak view
   * where its top probability reaches `threshold`, and adds `weight` x the cross-entropy of the strong view against
   * those labels. Classification only; not with privacy.
   */
  semi?: SemiOptions;
}

export interface SemiOptions {
  /** Confidence a weak view's top class needs to become a pseudo-label, in [0, 1] (FixMatch: 0.95). */
  threshold: number;
  /** Unlabelled rows per labelled row in each step (FixMatch's mu: 7), a whole number >= 1. */
  ratio: number;
  /** Weight of the unlabelled loss (FixMatch's lambda_u, default 1). */
  weight?: number;
}

export interface PrivacyOptions {
  /**
   * sigma: the noise standard deviation as a multiple of maxGradNorm (>= 0; 0 clips without noise: epsilon is
   * infinite). Give it or `epsilon`, not both.
   */
  noiseMultiplier?: number;
  /**
   * A privacy budget instead of a noise level: train() calibrates the smallest sigma whose planned steps (every
   * epoch, no early stop) spend at most this epsilon at `delta`; an early stop spends less.
   */
  epsilon?: number;
  /** C: the L2 norm each sample's gradient is clipped to (> 0). */
  maxGradNorm: number;
  /**
   * "poisson": each step takes each training row with probability batchSize / n (a variable batch; the accountant's
   * assumption, so the epsilon is a proven bound). "shuffle": the epoch's shuffled fixed-size batches, accounted as
   * if Poisson with the same rate (the common practice, as TF Privacy's compute_dp_sgd_privacy; not a proven bound).
   */
  sampling: "poisson" | "shuffle";
  /** delta of the reported (epsilon, delta) (default min(1e-5, 1 / (10 n)) for n training rows). */
  delta?: number;
}

export type FinetuneMode = "full" | "head" | "head-then-full";

export interface InitOptions {
  /** A directory written by Model.save() (or its weights.pt file). */
  weights: string;
  /** Keep this model's fresh head: the source may have another number of classes (or another task). Default false. */
  skipHead?: boolean;
}

/**
 * Augmentation options. Without `policy`, only the ops named here are on; with `policy: "default"`, the data
 * kind's default ops are on and the ops named here override them. Ops for another data kind are an error.
 */
export interface AugmentOptions {
  /** "default": image: crop (shift) by 1/8 of the side; dense: noise 0.1; tokens: tokenDropout 0.1. "none": nothing. */
  policy?: "default" | "none";
  /** Image: random shift by up to this many pixels with padding (pad + random crop); integer >= 0. */
  crop?: number;
  /** Image: "h" allows horizontal flips (probability 1/2); only for data where a mirror image is the same class. */
  flip?: "h" | "none";
  /** Image: rotation uniform in [-rotate, rotate] degrees, in [0, 180]. */
  rotate?: number;
  /** Image: zoom uniform in [1 - scale, 1 + scale], in [0, 1). */
  scale?: number;
  /** Image: cutout of one square with this fraction of the shorter side, in [0, 1). */
  cutout?: number;
  /** Image and dense: mixup with lambda ~ Beta(a, a); 0 = off. */
  mixup?: number;
  /** Image: cutmix with lambda ~ Beta(a, a); 0 = off. With mixup too, each batch uses one of the two. */
  cutmix?: number;
  /** Dense: Gaussian noise of this many standard deviations of each feature (over the training rows). */
  noise?: number;
  /** Dense, classification: probability per row of SMOTE-style interpolation toward a same-class neighbour. */
  smote?: number;
  /** Tokens: probability per token of dropping it (set to padding). */
  tokenDropout?: number;
  /** Tokens: probability per position of swapping a token with the next one. */
  tokenSwap?: number;
}

/** The explicit form the addon takes: every op, 0/false when off. */
export interface ResolvedAugment {
  crop: number;
  flip: boolean;
  rotate: number;
  scale: number;
  cutout: number;
  mixup: number;
  cutmix: number;
  noise: number;
  smote: number;
  tokenDropout: number;
  tokenSwap: number;
}

const AUGMENT_FIELDS = ["policy", "crop", "flip", "rotate", "scale", "cutout", "mixup", "cutmix", "noise", "smote", "tokenDropout", "tokenSwap"] as const;
const AUGMENT_KINDS: Record<string, Tensors["xKind"][]> = {
  crop: ["image"],
  flip: ["image"],
  rotate: ["image"],
  scale: ["image"],
  cutout: ["image"],
  cutmix: ["image"],
  mixup: ["image", "dense"],
  noise: ["dense"],
  smote: ["dense"],
  tokenDropout: ["tokens"],
  tokenSwap: ["tokens"],
};

const OFF: ResolvedAugment = { crop: 0, flip: false, rotate: 0, scale: 0, cutout: 0, mixup: 0, cutmix: 0, noise: 0, smote: 0, tokenDropout: 0, tokenSwap: 0 };

/** The default policy of a data kind (xShape: [c, h, w] for images). */
export function defaultAugment(kind: Tensors["xKind"], xShape: number[]): ResolvedAugment {
  if (kind === "image") return { ...OFF, crop: Math.max(1, Math.round(Math.min(xShape[1] ?? 8, xShape[2] ?? 8) / 8)) };
  if (kind === "dense") return { ...OFF, noise: 0.1 };
  return { ...OFF, tokenDropout: 0.1 };
}

/**
 * Resolves recipe.augment against the data: undefined/false/`{policy: "none"}` with no ops give null (off).
 * Throws SpecError AUGMENT_DATA_KIND for an op of another data kind, smote on regression data.
 */
export function resolveAugment(
  augment: Recipe["augment"],
  data: Pick<Tensors, "xKind" | "xShape" | "task">,
): ResolvedAugment | null {
  if (augment === undefined || augment === false) return null;
  const o: AugmentOptions = augment === true ? { policy: "default" } : augment;
  const r: ResolvedAugment = o.policy === "default" ? defaultAugment(data.xKind, data.xShape) : { ...OFF };
  for (const k of AUGMENT_FIELDS) {
    if (k === "policy" || o[k] === undefined) continue;
    if (!AUGMENT_KINDS[k]!.includes(data.xKind)) {
      throw new SpecError("AUGMENT_DATA_KIND", `augment.${k} does not apply to ${data.xKind} data (it is for ${AUGMENT_KINDS[k]!.join(" and ")} data)`);
    }
    if (k === "flip") r.flip = o.flip === "h";
    else (r as unknown as Record<string, number>)[k] = o[k] as number;
  }
  if (r.smote > 0 && data.task !== "classification") throw new SpecError("AUGMENT_DATA_KIND", "augment.smote needs classification data (it interpolates within a class)");
  const on = Object.values(r).some((v) => v !== 0 && v !== false);
  return on ? r : null;
}

function validateAugment(a: unknown): void {
  if (a === undefined || typeof a === "boolean") return;
  if (typeof a !== "object" || a === null || Array.isArray(a)) bad("augment", "must be true, false or an object of augmentation options");
  const o = a as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(AUGMENT_FIELDS as readonly string[]).includes(k)) {
      throw new SpecError("AUGMENT_UNKNOWN_FIELD", `unknown augment option "${k}"; valid options: ${AUGMENT_FIELDS.join(", ")}`);
    }
  }
  const abad = (k: string, msg: string): never => {
    throw new SpecError("AUGMENT_INVALID", `augment.${k} ${msg}, got ${JSON.stringify(o[k])}`);
  };
  if (o.policy !== undefined && o.policy !== "default" && o.policy !== "none") abad("policy", 'must be "default" or "none"');
  if (o.flip !== undefined && o.flip !== "h" && o.flip !== "none") abad("flip", 'must be "h" (horizontal flips allowed) or "none"');
  const inRange = (k: string, lo: number, hi: number, hiOpen: boolean) => {
    const v = o[k];
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) abad(k, `must be a number in [${lo}, ${hi}${hiOpen ? ")" : "]"}`);
  };
  if (o.crop !== undefined && (typeof o.crop !== "number" || !Number.isInteger(o.crop) || o.crop < 0)) abad("crop", "must be an integer >= 0 (pixels)");
  inRange("rotate", 0, 180, false);
  inRange("scale", 0, 1, true);
  inRange("cutout", 0, 1, true);
  inRange("mixup", 0, 100, false);
  inRange("cutmix", 0, 100, false);
  inRange("noise", 0, 10, false);
  inRange("smote", 0, 1, false);
  inRange("tokenDropout", 0, 1, true);
  inRange("tokenSwap", 0, 1, false);
}

/** recipe.finetune in its explicit form; `backbone` (a torchscript spec) defaults to "head". */
export function resolveFinetune(f: Recipe["finetune"], backbone: boolean): { mode: FinetuneMode; headFraction: number } {
  const o = f === undefined ? { mode: backbone ? ("head" as const) : ("full" as const) } : typeof f === "string" ? { mode: f } : f;
  return { mode: o.mode, headFraction: "headFraction" in o && o.headFraction !== undefined ? o.headFraction : o.mode === "head-then-full" ? 0.25 : 0 };
}

const FIELDS = ["optimizer", "lr", "momentum", "nesterov", "weightDecay", "schedule", "epochs", "steps", "batchSize", "earlyStopping", "seed", "threads", "device", "augment", "init", "finetune", "privacy", "semi"];
const MODES: FinetuneMode[] = ["full", "head", "head-then-full"];

/**
 * A sensible recipe for a data kind and training-set size. The rule:
 * - Adam, constant learning rate 1e-3 (3e-3 for token data, whose embeddings learn slowly at 1e-3);
 * - batch size: nTrain/64 rounded down to a power of two, clamped to [16, 128], so small subsets still get
 *   tens of steps per epoch;
 * - epochs: enough for about 2,000 optimizer steps, clamped to [5, 100] (small subsets get more passes);
 * - early stopping with patience 5 (active only when validation rows are given), seed 0, CPU.
 */
export function defaultRecipe(kind: Tensors["xKind"], nTrain: number): Recipe {
  const n = Math.max(1, Math.floor(nTrain));
  const batchSize = Math.min(128, Math.max(16, 2 ** Math.floor(Math.log2(Math.max(1, n / 64)))));
  const stepsPerEpoch = Math.max(1, Math.ceil(n / batchSize));
  const epochs = Math.min(100, Math.max(5, Math.ceil(2000 / stepsPerEpoch)));
  return {
    optimizer: "adam",
    lr: kind === "tokens" ? 3e-3 : 1e-3,
    schedule: "constant",
    weightDecay: 0,
    epochs,
    batchSize,
    earlyStopping: { patience: 5, minDelta: 0 },
    seed: 0,
    device: "cpu",
  };
}

function bad(field: string, msg: string): never {
  throw new SpecError("RECIPE_INVALID", `recipe field "${field}" ${msg}`);
}
function int(v: unknown, field: string, min: number): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < min)) bad(field, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
}
function nonNeg(v: unknown, field: string): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) bad(field, `must be a number >= 0, got ${JSON.stringify(v)}`);
}

/** Checks a recipe; throws SpecError naming the field. */
export function validateRecipe(recipe: Recipe): Recipe {
  if (typeof recipe !== "object" || recipe === null) throw new SpecError("RECIPE_INVALID", "a recipe must be an object");
  for (const k of Object.keys(recipe)) {
    if (!FIELDS.includes(k)) throw new SpecError("RECIPE_UNKNOWN_FIELD", `unknown recipe field "${k}"; valid fields: ${FIELDS.join(", ")}`);
  }
  const r = recipe as Record<string, unknown>;
  if (r.optimizer !== undefined && !["sgd", "adam", "adamw"].includes(r.optimizer as string)) bad("optimizer", `must be sgd, adam or adamw, got ${JSON.stringify(r.optimizer)}`);
  if (r.lr !== undefined && (typeof r.lr !== "number" || !Number.isFinite(r.lr) || r.lr <= 0)) bad("lr", `must be a positive number, got ${JSON.stringify(r.lr)}`);
  if (r.momentum !== undefined && (typeof r.momentum !== "number" || !(r.momentum >= 0 && r.momentum < 1))) bad("momentum", "must be in [0, 1)");
  if (r.nesterov !== undefined && typeof r.nesterov !== "boolean") bad("nesterov", "must be true or false");
  if (r.nesterov && (recipe.optimizer ?? "adam") !== "sgd") bad("nesterov", "only applies to optimizer sgd");
  if (r.nesterov && recipe.momentum === 0) bad("nesterov", "needs momentum > 0");
  nonNeg(r.weightDecay, "weightDecay");
  if (r.schedule !== undefined && !["constant", "cosine", "onecycle"].includes(r.schedule as string)) bad("schedule", `must be constant, cosine or onecycle, got ${JSON.stringify(r.schedule)}`);
  int(r.epochs, "epochs", 1);
  int(r.steps, "steps", 1);
  int(r.batchSize, "batchSize", 1);
  if (r.earlyStopping !== undefined && r.earlyStopping !== false) {
    const es = r.earlyStopping as Record<string, unknown>;
    if (typeof es !== "object" || es === null) bad("earlyStopping", "must be { patience, minDelta? } or false");
    for (const k of Object.keys(es)) if (k !== "patience" && k !== "minDelta") bad("earlyStopping", `has unknown field "${k}"; valid: patience, minDelta`);
    int(es.patience, "earlyStopping.patience", 1);
    if (es.patience === undefined) bad("earlyStopping.patience", "is required");
    nonNeg(es.minDelta, "earlyStopping.minDelta");
  }
  int(r.seed, "seed", 0);
  if (typeof r.seed === "number" && r.seed > Number.MAX_SAFE_INTEGER) bad("seed", "must be a safe integer");
  int(r.threads, "threads", 1);
  if (r.device !== undefined && r.device !== "cpu" && r.device !== "cuda") bad("device", `must be "cpu" or "cuda", got ${JSON.stringify(r.device)}`);
  validateAugment(r.augment);
  if (r.init !== undefined) {
    const i = r.init as Record<string, unknown>;
    if (typeof i !== "object" || i === null) bad("init", "must be { weights, skipHead? }");
    for (const k of Object.keys(i)) if (k !== "weights" && k !== "skipHead") bad("init", `has unknown field "${k}"; valid: weights, skipHead`);
    if (typeof i.weights !== "string" || i.weights === "") bad("init.weights", "must be the path of a saved model (a directory written by Model.save())");
    if (i.skipHead !== undefined && typeof i.skipHead !== "boolean") bad("init.skipHead", "must be true or false");
  }
  if (r.finetune !== undefined) {
    const f = r.finetune;
    const mode = typeof f === "string" ? f : typeof f === "object" && f !== null ? (f as Record<string, unknown>).mode : undefined;
    if (!MODES.includes(mode as FinetuneMode)) bad("finetune", `must be one of ${MODES.join(", ")} (or { mode, headFraction }), got ${JSON.stringify(f)}`);
    if (typeof f === "object" && f !== null) {
      const o = f as Record<string, unknown>;
      for (const k of Object.keys(o)) if (k !== "mode" && k !== "headFraction") bad("finetune", `has unknown field "${k}"; valid: mode, headFraction`);
      if (o.headFraction !== undefined) {
        if (mode !== "head-then-full") bad("finetune.headFraction", 'only applies to mode "head-then-full"');
        if (typeof o.headFraction !== "number" || !(o.headFraction > 0 && o.headFraction < 1)) bad("finetune.headFraction", "must be a number in (0, 1)");
      }
    }
  }
  if (r.privacy !== undefined) validatePrivacy(r.privacy);
  if (r.semi !== undefined) validateSemi(r.semi);
  return recipe;
}

const PRIVACY_FIELDS = ["noiseMultiplier", "epsilon", "maxGradNorm", "sampling", "delta"];

function validatePrivacy(p: unknown): void {
  const pbad = (msg: string): never => {
    throw new SpecError("PRIVACY_INVALID", `recipe field "privacy" ${msg}`, { hint: "e.g. privacy: { noiseMultiplier: 1.1, maxGradNorm: 1, sampling: \"poisson\" }" });
  };
  if (typeof p !== "object" || p === null || Array.isArray(p)) pbad("must be { noiseMultiplier, maxGradNorm, sampling, delta? }");
  const o = p as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!PRIVACY_FIELDS.includes(k)) pbad(`has unknown field "${k}"; valid: ${PRIVACY_FIELDS.join(", ")}`);
  const n = o.noiseMultiplier;
  const e = o.epsilon;
  if ((n === undefined) === (e === undefined)) pbad("needs exactly one of noiseMultiplier (a noise level) and epsilon (a privacy budget)");
  if (n !== undefined && (typeof n !== "number" || !Number.isFinite(n) || n < 0)) pbad(`.noiseMultiplier must be a number >= 0, got ${JSON.stringify(n)}`);
  if (e !== undefined && (typeof e !== "number" || !Number.isFinite(e) || e < 0.1)) pbad(`.epsilon must be a number >= 0.1 (smaller budgets are beyond the accountant's orders), got ${JSON.stringify(e)}`);
  const c = o.maxGradNorm;
  if (typeof c !== "number" || !Number.isFinite(c) || c <= 0) pbad(`.maxGradNorm must be a positive number, got ${JSON.stringify(c)}`);
  if (o.sampling !== "poisson" && o.sampling !== "shuffle") pbad(`.sampling must be "poisson" or "shuffle", got ${JSON.stringify(o.sampling)}`);
  const d = o.delta;
  if (d !== undefined && (typeof d !== "number" || !(d > 0 && d < 1))) pbad(`.delta must be a number in (0, 1), got ${JSON.stringify(d)}`);
}

function validateSemi(v: unknown): void {
  const o = v as Record<string, unknown>;
  const sbad = (msg: string): never => {
    throw new SpecError("SEMI_INVALID", `recipe field "semi" ${msg}`, { hint: "e.g. semi: { threshold: 0.95, ratio: 7 }" });
  };
  if (typeof v !== "object" || v === null || Array.isArray(v)) sbad("must be { threshold, ratio, weight? }");
  for (const k of Object.keys(o)) if (!["threshold", "ratio", "weight"].includes(k)) sbad(`has unknown field "${k}"; valid: threshold, ratio, weight`);
  if (typeof o.threshold !== "number" || !(o.threshold >= 0 && o.threshold <= 1)) sbad(`.threshold must be a number in [0, 1], got ${JSON.stringify(o.threshold)}`);
  if (typeof o.ratio !== "number" || !Number.isInteger(o.ratio) || o.ratio < 1 || o.ratio > 64) sbad(`.ratio must be a whole number from 1 to 64, got ${JSON.stringify(o.ratio)}`);
  if (o.weight !== undefined && (typeof o.weight !== "number" || !Number.isFinite(o.weight) || o.weight < 0)) sbad(`.weight must be a number >= 0, got ${JSON.stringify(o.weight)}`);
}

/** The default delta for n training rows: min(1e-5, 1 / (10 n)), well below 1/n. */
export function defaultDelta(n: number): number {
  return Math.min(1e-5, 1 / (10 * Math.max(1, n)));
}
