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
}

const FIELDS = ["optimizer", "lr", "momentum", "nesterov", "weightDecay", "schedule", "epochs", "steps", "batchSize", "earlyStopping", "seed", "threads", "device"];

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
  return recipe;
}
