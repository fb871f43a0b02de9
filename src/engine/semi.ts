/**
 * The engine's label-efficient training beyond the recipe basics: FixMatch's weak and strong views (recipe.semi,
 * trained in native/src/semi.cc) and the self-supervised pretext tasks (pretext(), native/src/pretext.cc), each
 * resolved here into the explicit form the addon reads (it fills no default itself).
 */
import { SpecError } from "../errors.js";
import { resolveAugment, type ResolvedAugment, type SemiOptions } from "./recipe.js";
import type { Tensors } from "./types.js";

type DataKind = Pick<Tensors, "xKind" | "xShape" | "task">;

/**
 * FixMatch's two views of an unlabelled row, per data kind. The paper's weak view is flip-and-shift and its strong
 * view RandAugment + cutout; the augmentation module has no colour or intensity ops, so the strong view here is
 * the geometric ops (shift, rotation, zoom) plus cutout. Flips are never on (the project flips only when a user
 * says mirror images are the same class). Dense: feature noise 0.1 (weak) and 0.5 (strong) of each feature's
 * spread; tokens: dropout 0.05 (weak), dropout 0.2 + swaps 0.1 (strong).
 */
export function semiViews(data: DataKind): { weak: ResolvedAugment | null; strong: ResolvedAugment | null } {
  if (data.xKind === "image") {
    const crop = Math.max(1, Math.round(Math.min(data.xShape[1] ?? 8, data.xShape[2] ?? 8) / 8));
    return { weak: resolveAugment({ crop }, data), strong: resolveAugment({ crop, rotate: 15, scale: 0.15, cutout: 0.4 }, data) };
  }
  if (data.xKind === "dense") return { weak: resolveAugment({ noise: 0.1 }, data), strong: resolveAugment({ noise: 0.5 }, data) };
  return { weak: resolveAugment({ tokenDropout: 0.05 }, data), strong: resolveAugment({ tokenDropout: 0.2, tokenSwap: 0.1 }, data) };
}

/** recipe.semi as the addon reads it. */
export function resolveSemi(s: SemiOptions, data: DataKind): { threshold: number; ratio: number; weight: number; weak: ResolvedAugment | null; strong: ResolvedAugment | null } {
  if (data.task !== "classification") throw new SpecError("SEMI_TASK", "recipe.semi (FixMatch) needs a classification task: its pseudo-labels are classes", { hint: "drop recipe.semi for regression data" });
  return { threshold: s.threshold, ratio: s.ratio, weight: s.weight ?? 1, ...semiViews(data) };
}

export type PretextMethod = "contrastive" | "reconstruct" | "masked-tokens";

export interface PretextOptions {
  /** Default per data kind: images contrastive, dense reconstruct, tokens masked-tokens. */
  method?: PretextMethod;
  /** Contrastive: NT-Xent temperature (default 0.5, SimCLR's CIFAR setting). */
  temperature?: number;
  /** Reconstruct / masked-tokens: share of features, 4x4 image patches or tokens masked (default 0.3 dense, 0.5 images, 0.15 tokens). */
  maskRate?: number;
  /** Contrastive: projection head width (default 64). */
  projDim?: number;
}

export function defaultPretext(kind: Tensors["xKind"]): PretextMethod {
  return kind === "image" ? "contrastive" : kind === "dense" ? "reconstruct" : "masked-tokens";
}

/**
 * The pretext as the addon reads it. Contrastive views: images shift by 1/8 of the side, rotate 15 degrees, zoom
 * 0.2 and cutout 0.3 (SimCLR's crop-and-resize, without colour ops the module lacks); dense noise 0.5; tokens dropout
 * 0.2 + swaps 0.1.
 */
export function resolvePretext(p: PretextOptions, data: DataKind): { method: PretextMethod; temperature: number; maskRate: number; projDim: number; view: ResolvedAugment | null } {
  const method = p.method ?? defaultPretext(data.xKind);
  const bad = (msg: string): never => {
    throw new SpecError("PRETEXT_INVALID", `pretext: ${msg}`, { hint: "contrastive (any data), reconstruct (dense or image), masked-tokens (text)" });
  };
  if (!["contrastive", "reconstruct", "masked-tokens"].includes(method)) bad(`unknown method "${method}"`);
  if (method === "reconstruct" && data.xKind === "tokens") bad("reconstruct needs dense or image data; use masked-tokens for text");
  if (method === "masked-tokens" && data.xKind !== "tokens") bad(`masked-tokens needs text (token) data, the data is ${data.xKind}`);
  const maskRate = p.maskRate ?? (data.xKind === "image" ? 0.5 : data.xKind === "dense" ? 0.3 : 0.15);
  if (!(maskRate > 0 && maskRate < 1)) bad(`maskRate must be in (0, 1), got ${maskRate}`);
  const temperature = p.temperature ?? 0.5;
  if (!(temperature > 0)) bad(`temperature must be > 0, got ${temperature}`);
  const projDim = p.projDim ?? 64;
  if (!(Number.isInteger(projDim) && projDim >= 1)) bad(`projDim must be a whole number >= 1, got ${projDim}`);
  let view: ResolvedAugment | null = null;
  if (method === "contrastive") {
    if (data.xKind === "image") {
      const crop = Math.max(1, Math.round(Math.min(data.xShape[1] ?? 8, data.xShape[2] ?? 8) / 8));
      view = resolveAugment({ crop, rotate: 15, scale: 0.2, cutout: 0.3 }, data);
    } else if (data.xKind === "dense") view = resolveAugment({ noise: 0.5 }, data);
    else view = resolveAugment({ tokenDropout: 0.2, tokenSwap: 0.1 }, data);
  }
  return { method, temperature, maskRate, projDim, view };
}
