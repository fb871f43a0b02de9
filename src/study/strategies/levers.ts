/**
 * The levers of `enough strategies`, read from `--try <lever>[:key=value,...]`. Every check here runs before any
 * data loads, so a typo costs nothing. A lever becomes a change of the baseline's ModelSpec/Recipe (augment,
 * transfer:backbone, transfer:source once its source is pretrained), a Run kind (ensemble: k members averaged in one Run;
 * synthetic: rows from a generator fitted in the Run) or a search at every size (search).
 */
import { existsSync, statSync } from "node:fs";
import { InputError, SpecError } from "../../errors.js";
import { resolveSpec, type ModelSpec } from "../../engine/spec.js";
import { checkPrivateModel } from "../../engine/train.js";
import type { JsonObject, SemiJob, SyntheticJob } from "../run.js";
import { syntheticUnsupported } from "../synthetic/generate.js";
import { resolvePretext, type PretextMethod } from "../../engine/semi.js";

export type FinetuneMode = "full" | "head" | "head-then-full";
const SOURCE_MODES: readonly FinetuneMode[] = ["full", "head", "head-then-full"];
const PRETEXTS: readonly PretextMethod[] = ["contrastive", "reconstruct", "masked-tokens"];

/** Where a transfer lever's pretrained weights are: the artifact's folder (for the worker) and key (for the Run id). */
export interface Pretrained {
  dir: string;
  key: string;
}

export type Lever =
  | { kind: "augment"; label: string; augment: JsonObject | null }
  | { kind: "ensemble"; label: string; k: number }
  | { kind: "backbone"; label: string; path: string; mode: "frozen" | "full" }
  /** Pretrain the same ModelSpec on `source` (optionally its `classes`, `size` rows of its pool), then fine-tune. */
  | { kind: "transfer"; label: string; source: string; classes?: string; size?: number; mode: FinetuneMode }
  | { kind: "search"; label: string; trials: number }
  | { kind: "dp"; label: string; epsilon: number; delta?: number; clip: number; sampling: "poisson" | "shuffle" }
  /** Add ratio x synthetic rows per real training row, from a generator fitted in each Run on its training rows. */
  | { kind: "synthetic"; label: string; model: "cvae" | "copula"; ratio: number }
  /** Semi-supervised: the rest of the pool with labels hidden (see RunJob.semi). */
  | { kind: "semi"; label: string; semi: SemiJob }
  /** Self-supervised: pretrain on the pool's inputs by a pretext task (one artifact), then fine-tune like transfer. */
  | { kind: "selfsup"; label: string; method?: PretextMethod; size?: number; steps: number; mode: FinetuneMode }
  /** Active learning (active.ts): acquisition trajectories of `strategy` against random acquisition. */
  | { kind: "active"; label: string; strategy: ActiveStrategy; batch: number; start?: number; max?: number; mc?: number };

export const ACTIVE_STRATEGIES = ["margin", "entropy", "bald", "coreset", "badge"] as const;
export type ActiveStrategy = (typeof ACTIVE_STRATEGIES)[number];

const KEYS: Record<string, readonly string[]> = {
  augment: ["policy", "crop", "flip", "rotate", "scale", "cutout", "mixup", "cutmix", "noise", "smote", "tokenDropout", "tokenSwap"],
  ensemble: ["k"],
  transfer: ["backbone", "source", "classes", "size", "mode"],
  search: ["trials"],
  dp: ["epsilon", "delta", "clip", "sampling"],
  synthetic: ["model", "ratio"],
  semi: ["method", "threshold", "ratio", "rounds", "unlabeled"],
  selfsup: ["method", "size", "steps", "mode"],
  active: ["strategy", "batch", "start", "max", "mc"],
};
export const LEVERS = Object.keys(KEYS);

/**
 * One `--try` value. `augment:policy=none` with no op is the baseline itself: it is read as "no augment field", so
 * its Runs are the baseline's Runs (same ids) and the row reads exactly x1, "no clear effect" (the engine's off is
 * bit-identical to no field anyway; a separate id would only train the same models again).
 */
export function parseLever(arg: string): Lever {
  const text = arg.trim();
  const colon = text.indexOf(":");
  const name = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? "" : text.slice(colon + 1);
  const keys = KEYS[name];
  if (!keys) throw new InputError("BAD_LEVER", `--try ${arg}: unknown lever "${name}"`, { hint: `use one of: ${LEVERS.join(", ")}` });
  const kv = new Map<string, string>();
  for (const part of rest ? rest.split(",") : []) {
    const eq = part.indexOf("=");
    const k = (eq < 0 ? part : part.slice(0, eq)).trim();
    const v = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (!keys.includes(k)) throw new InputError("BAD_LEVER_KEY", `--try ${arg}: unknown key "${k}" for ${name}`, { hint: `valid keys for ${name}: ${keys.join(", ")}` });
    if (v === "") throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: ${k} needs a value (${k}=...)`);
    kv.set(k, v);
  }
  const label = text;
  const num = (k: string, lo: number, hi: number, int = false): number => {
    const v = Number(kv.get(k));
    if (!Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
      throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: ${k} must be ${int ? "a whole number" : "a number"} from ${lo} to ${hi}, got "${kv.get(k)}"`);
    }
    return v;
  };
  switch (name) {
    case "augment": {
      const out: JsonObject = {};
      for (const [k, v] of kv) {
        if (k === "policy") {
          if (v !== "default" && v !== "none") throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: policy must be default or none, got "${v}"`);
          out.policy = v;
        } else if (k === "flip") {
          if (v !== "h" && v !== "none") throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: flip must be h or none, got "${v}"`);
          out.flip = v;
        } else out[k] = num(k, 0, k === "rotate" ? 180 : k === "crop" ? 64 : k === "mixup" || k === "cutmix" || k === "noise" ? 10 : 1, k === "crop");
      }
      const ops = Object.keys(out).filter((k) => k !== "policy");
      if (!ops.length && out.policy === undefined) out.policy = "default";
      return { kind: "augment", label, augment: out.policy === "none" && !ops.length ? null : out };
    }
    case "ensemble":
      return { kind: "ensemble", label, k: kv.has("k") ? num("k", 2, 20, true) : 5 };
    case "search":
      return { kind: "search", label, trials: kv.has("trials") ? num("trials", 2, 200, true) : 20 };
    case "synthetic": {
      const model = kv.get("model") ?? "cvae";
      if (model !== "cvae" && model !== "copula") throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: model must be cvae or copula, got "${model}"`, { hint: "synthetic:model=cvae (images, tabular) or synthetic:model=copula (tabular)[,ratio=1]" });
      return { kind: "synthetic", label, model, ratio: kv.has("ratio") ? num("ratio", 0.1, 20) : 1 };
    }
    case "active": {
      const strategy = kv.get("strategy") ?? "margin";
      if (!(ACTIVE_STRATEGIES as readonly string[]).includes(strategy)) throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: strategy must be one of ${ACTIVE_STRATEGIES.join(", ")}, got "${strategy}"`);
      if (kv.has("mc") && strategy !== "bald") throw new InputError("BAD_LEVER_KEY", `--try ${arg}: mc= (MC dropout passes) belongs to strategy=bald`);
      const batch = kv.has("batch") ? num("batch", 1, 1e7, true) : 250;
      const start = kv.has("start") ? num("start", 2, 1e8, true) : undefined;
      const max = kv.has("max") ? num("max", 3, 1e8, true) : undefined;
      if (max !== undefined && max <= (start ?? batch)) throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: max=${max} must be above the seed set (start=${start ?? batch})`);
      return { kind: "active", label, strategy: strategy as ActiveStrategy, batch, ...(start !== undefined ? { start } : {}), ...(max !== undefined ? { max } : {}), ...(kv.has("mc") ? { mc: num("mc", 2, 1000, true) } : {}) };
    }
    case "dp": {
      if (!kv.has("epsilon")) throw new InputError("BAD_LEVER_KEY", `--try ${arg}: dp needs epsilon=<budget>`, { hint: "dp:epsilon=3[,delta=1e-5][,clip=1][,sampling=poisson|shuffle]" });
      const sampling = kv.get("sampling") ?? "poisson";
      if (sampling !== "poisson" && sampling !== "shuffle") throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: sampling must be poisson or shuffle, got "${sampling}"`);
      return {
        kind: "dp",
        label,
        epsilon: num("epsilon", 0.1, 1000),
        ...(kv.has("delta") ? { delta: num("delta", 1e-12, 0.1) } : {}),
        clip: kv.has("clip") ? num("clip", 1e-6, 1e6) : 1,
        sampling,
      };
    }
    case "semi": {
      const method = kv.get("method") ?? "fixmatch";
      if (method !== "pseudo" && method !== "fixmatch") throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: method must be pseudo or fixmatch, got "${method}"`);
      if (method === "fixmatch" && kv.has("rounds")) throw new InputError("BAD_LEVER_KEY", `--try ${arg}: rounds= belongs to method=pseudo (FixMatch trains once)`);
      const semi: SemiJob = {
        method,
        threshold: kv.has("threshold") ? num("threshold", 0, 1) : 0.95,
        ratio: kv.has("ratio") ? num("ratio", 1, 64, true) : 3,
        rounds: method === "pseudo" ? (kv.has("rounds") ? num("rounds", 1, 10, true) : 1) : 0,
        unlabeled: kv.has("unlabeled") ? num("unlabeled", 1, 1e9, true) : 20_000,
      };
      return { kind: "semi", label, semi };
    }
    case "selfsup": {
      const method = kv.get("method") as PretextMethod | undefined;
      if (method !== undefined && !PRETEXTS.includes(method)) throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: method must be ${PRETEXTS.join(", ")}, got "${method}"`);
      const mode = (kv.get("mode") ?? "head-then-full") as FinetuneMode;
      if (!SOURCE_MODES.includes(mode)) throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: mode must be ${SOURCE_MODES.join(", ")}, got "${mode}"`);
      return { kind: "selfsup", label, ...(method ? { method } : {}), ...(kv.has("size") ? { size: num("size", 2, 1e9, true) } : {}), steps: kv.has("steps") ? num("steps", 1, 1e7, true) : 1000, mode };
    }
    default: {
      const path = kv.get("backbone");
      const source = kv.get("source");
      const hint = "transfer:source=<data>[,classes=0-4][,size=N][,mode=full|head|head-then-full] or transfer:backbone=<a Model.save() folder or a TorchScript .pt>[,mode=frozen|full]";
      if (path && source) throw new InputError("BAD_LEVER_KEY", `--try ${arg}: give source= or backbone=, not both`, { hint });
      // classes= takes ids and ranges (0-4) or names joined by "+" (cat+dog): "," already separates the lever's keys.
      if (source !== undefined) {
        const mode = (kv.get("mode") ?? "head-then-full") as FinetuneMode;
        if (!SOURCE_MODES.includes(mode)) throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: mode must be ${SOURCE_MODES.join(", ")}, got "${mode}"`);
        return { kind: "transfer", label, source, mode, ...(kv.has("classes") ? { classes: kv.get("classes")!.split("+").join(",") } : {}), ...(kv.has("size") ? { size: num("size", 2, 1e9, true) } : {}) };
      }
      for (const k of ["classes", "size"]) if (kv.has(k)) throw new InputError("BAD_LEVER_KEY", `--try ${arg}: ${k}= belongs to transfer:source=...`, { hint });
      if (!path) throw new InputError("BAD_LEVER_KEY", `--try ${arg}: transfer needs source=<data> or backbone=<path>`, { hint });
      if (!existsSync(path)) throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: ${path} does not exist`, { hint: "a folder written by Model.save() or a TorchScript .pt file" });
      const mode = kv.get("mode") ?? "frozen";
      if (mode !== "frozen" && mode !== "full") throw new InputError("BAD_LEVER_VALUE", `--try ${arg}: mode must be frozen or full, got "${mode}"`);
      return { kind: "backbone", label, path, mode };
    }
  }
}

/**
 * DP-SGD needs per-sample gradients, which batch norm does not have (its statistics mix the batch's rows): the
 * baseline must already be the model without it, so that the dp row measures privacy alone and not privacy plus a
 * different model. The engine's own check decides (on the spec resolved against the data, defaults included),
 * before any Run trains; this only says what to do in the study's terms.
 */
export function checkPrivateBaseline(levers: readonly Lever[], spec: JsonObject, data: Parameters<typeof resolveSpec>[1]): void {
  const dp = levers.find((l) => l.kind === "dp");
  if (!dp) return;
  try {
    checkPrivateModel(resolveSpec(spec as unknown as ModelSpec, data), "full");
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    const family = String(spec.family ?? "");
    throw new InputError("DP_BATCH_NORM", `--try ${dp.label}: ${err.message}`, {
      hint: family === "cnn" || family === "mlp" ? `run the study with --model ${family}:batchNorm=false so the baseline and the private Runs are the same model` : "use --model cnn:batchNorm=false or an mlp for a study with dp",
    });
  }
}

/** A synthetic lever whose generator cannot make this data's rows (text; cvae for regression; copula for images). */
export function checkSyntheticData(levers: readonly Lever[], data: Parameters<typeof syntheticUnsupported>[1]): void {
  for (const l of levers) {
    if (l.kind !== "synthetic") continue;
    const why = syntheticUnsupported(l.model, data);
    if (why) throw new InputError("SYNTHETIC_DATA", `--try ${l.label}: ${why}`, { hint: "synthetic:model=cvae for images or classified tabular rows; synthetic:model=copula for tabular rows" });
  }
}

/**
 * Semi- and self-supervision read the data before anything trains: semi needs classes (its pseudo-labels are
 * classes), selfsup a pretext that fits the data kind (the engine's own check, in the study's words).
 */
export function checkLabelFreeLevers(levers: readonly Lever[], data: Parameters<typeof resolvePretext>[1]): void {
  for (const l of levers) {
    if (l.kind === "semi" && data.task !== "classification") {
      throw new InputError("SEMI_TASK", `--try ${l.label}: semi-supervised training needs a classification task (pseudo-labels are classes); this data is ${data.task}`, { hint: "use selfsup for a regression task" });
    }
    if (l.kind === "selfsup") {
      try {
        resolvePretext(l.method ? { method: l.method } : {}, data);
      } catch (err) {
        if (err instanceof SpecError) throw new InputError("BAD_LEVER_VALUE", `--try ${l.label}: ${err.message}`, { hint: err.hint ?? "" });
        throw err;
      }
    }
  }
}

/** Parses every --try, refusing two identical ones (the same row twice). */
export function parseLevers(args: readonly string[]): Lever[] {
  if (!args.length) throw new InputError("NO_LEVER", "strategies needs at least one --try <lever>", { hint: `levers: ${LEVERS.join(", ")}, e.g. --try augment --try ensemble:k=5` });
  const levers = args.map(parseLever);
  const seen = new Set<string>();
  for (const l of levers) {
    if (seen.has(l.label)) throw new InputError("BAD_LEVER", `--try ${l.label} is given twice`);
    seen.add(l.label);
  }
  return levers;
}

/**
 * A plain lever's ModelSpec and Recipe overrides (on top of the baseline's), the ensemble size of its Runs, and the
 * artifact key its Runs' ids carry instead of the weights' folder (transfer:source: see pretrain.ts).
 * Backbones: a .pt file is the TorchScript family (frozen features + trained head, or fine-tuned with mode=full);
 * a folder is a model saved by enough, loaded through recipe.init with a fresh head (head first, then all layers,
 * with mode=full; head only when frozen).
 */
export function leverChange(
  l: Exclude<Lever, { kind: "search" } | { kind: "active" }>,
  spec: JsonObject,
  recipe: JsonObject | undefined,
  pretrained?: Pretrained,
): { spec: JsonObject; recipe: JsonObject | undefined; ensemble?: number; artifact?: string; synthetic?: SyntheticJob; semi?: SemiJob } {
  switch (l.kind) {
    case "synthetic":
      return { spec, recipe, synthetic: { model: l.model, ratio: l.ratio } };
    case "semi":
      return { spec, recipe, semi: l.semi };
    case "selfsup":
    case "transfer": {
      // Before pretraining (the up-front recipe check) the folder is a stand-in; the Runs always get the real one.
      const p = pretrained ?? { dir: "(pretrained weights)", key: "-" };
      return { spec, recipe: { ...recipe, init: { weights: p.dir, skipHead: true }, finetune: l.mode }, artifact: p.key };
    }
    case "augment":
      return { spec, recipe: l.augment ? { ...recipe, augment: l.augment } : recipe };
    case "dp": {
      // DP-SGD on the same model: the engine calibrates the noise per Run to the budget for that Run's steps.
      const privacy: JsonObject = { epsilon: l.epsilon, maxGradNorm: l.clip, sampling: l.sampling, ...(l.delta !== undefined ? { delta: l.delta } : {}) };
      return { spec, recipe: { ...recipe, privacy } };
    }
    case "ensemble":
      return { spec, recipe, ensemble: l.k };
    case "backbone":
      if (statSync(l.path).isFile() && l.path.endsWith(".pt") && !l.path.endsWith("weights.pt")) {
        return { spec: { family: "torchscript", path: l.path }, recipe: { ...recipe, finetune: l.mode === "full" ? "full" : "head" } };
      }
      return { spec, recipe: { ...recipe, init: { weights: l.path, skipHead: true }, finetune: l.mode === "full" ? "head-then-full" : "head" } };
  }
}
